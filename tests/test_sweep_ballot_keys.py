"""Keys left behind by a crash are destroyed by `sweep_ballot_keys`; open votes keep theirs."""

from io import StringIO

from django.core.management import call_command

from council.keystore import key_store
from tests.test_council_vote import AGREE, convene


def test_the_sweep_destroys_the_key_of_a_closed_meeting_and_keeps_the_open_ones(
    period, unit_a, secretary, settings, tmp_path
):
    settings.BALLOT_KEY_DIR = tmp_path / "keys"
    closed = convene(period, unit_a, secretary, size=5)
    closed.open()
    for member in closed.members:
        closed.vote(member, AGREE)
    closed.close()  # in a test the after-commit destruction never runs: as after a crash
    still_open = convene(period, unit_a, secretary, size=5, awards=("certificate_of_merit",))
    still_open.open()
    out = StringIO()

    call_command("sweep_ballot_keys", stdout=out)

    assert key_store().get(closed.pk) is None
    assert key_store().get(still_open.pk) is not None
    assert out.getvalue().startswith("1 ballot key(s) destroyed, 1 kept")
