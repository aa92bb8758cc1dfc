// The dossier form shows the award's rules for the chosen nominee as the unit head picks them:
// the same checks the submission and the reviewer apply, rendered by the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-rules-url]");
  if (!form) { return; }
  var target = document.getElementById("rules-preview");
  var names = ["nominee", "award_type", "movement"];
  var pending = null;

  function refresh() {
    var params = new URLSearchParams({ unit: form.dataset.unit, period: form.dataset.period });
    names.forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && field.value) { params.set(name, field.value); }
    });
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.rulesUrl + "?" + params.toString(), {
      credentials: "same-origin", signal: pending.signal,
    }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      target.innerHTML = html;
    }).catch(function () { /* a newer choice replaced this request */ });
  }

  names.forEach(function (name) {
    var field = form.elements.namedItem(name);
    if (field) { field.addEventListener("change", refresh); }
  });
  refresh();
})();
