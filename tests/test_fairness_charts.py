"""The statistics' bar charts: well-formed, accessible SVG whose texts are escaped, never markup."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from fairness.charts import Series, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def chart(**overrides) -> str:
    arguments = {
        "chart_id": "chart-units",
        "title": "Hồ sơ theo đơn vị",
        "description": "Số hồ sơ đề nghị của mỗi đơn vị.",
        "categories": ["Khoa Toán", "Khoa Văn"],
        "series": [Series("Đề nghị", [4, 2]), Series("Được khen", [2, 1])],
        "axis_label": "Hồ sơ",
    } | overrides
    return str(bar_chart(**arguments))


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it well-formed


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_the_chart_is_well_formed_svg_named_by_its_title_and_description():
    root = parsed(chart())

    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Hồ sơ theo đơn vị"
    assert root.find(f"{SVG}desc").text == "Số hồ sơ đề nghị của mỗi đơn vị."
    assert root.get("aria-labelledby") == "chart-units-title chart-units-desc"
    assert root.find(f"{SVG}title").get("id") == "chart-units-title"


def test_a_unit_name_with_markup_characters_is_drawn_as_text():
    svg = chart(categories=['<Khoa & "A">', "Khoa Văn"], title='Thống kê <b>"x"</b> & y')

    root = parsed(svg)

    assert '<Khoa & "A">' in texts(root)
    assert root.find(f"{SVG}title").text == 'Thống kê <b>"x"</b> & y'
    assert "<Khoa" not in svg and "<b>" not in svg


def test_the_chart_has_no_script_and_no_external_reference():
    svg = chart()

    assert "<script" not in svg and "href" not in svg and "onload" not in svg


def test_each_bar_is_labelled_with_its_value_and_its_length_is_proportional():
    root = parsed(chart(series=[Series("Đề nghị", [4, 2])]))

    widths = [float(r.get("width")) for r in bars(root)]

    assert widths[0] == pytest.approx(2 * widths[1])
    assert {"4", "2"} <= set(texts(root))
    assert bars(root)[0].find(f"{SVG}title").text == "Khoa Toán · Đề nghị: 4"


def test_the_axis_is_labelled_and_ends_at_a_round_number_above_the_largest_value():
    root = parsed(chart(series=[Series("Đề nghị", [7, 3])]))

    assert "Hồ sơ" in texts(root)
    assert "10" in texts(root) and "0" in texts(root)  # 0 … 10, not 0 … 7


def test_the_ticks_of_the_axis_are_round_numbers():
    root = parsed(chart(series=[Series("Đề nghị", [5, 3])]))

    assert [t for t in texts(root) if t in {"0", "1", "2", "3", "4", "5", "1.2", "3.8"}] == [
        "5", "3", "0", "1", "2", "3", "4", "5",
    ]  # the bars' values, then the ticks  # fmt: skip


def test_a_share_is_written_with_the_decimal_comma_in_vietnamese():
    from django.utils import translation

    with translation.override("vi"):
        root = parsed(chart(series=[Series("Tỉ lệ", [2.4, 1.0])], value_suffix="%"))

    assert "2,4%" in texts(root)


def test_several_series_get_a_legend_and_one_series_none():
    assert {"Đề nghị", "Được khen"} <= set(texts(parsed(chart())))
    single = parsed(chart(series=[Series("Đề nghị", [4, 2])]))
    assert "Đề nghị" not in texts(single)


def test_a_missing_value_is_shown_as_a_dash_with_no_bar():
    root = parsed(chart(series=[Series("Tỉ lệ", [None, 50.0])], value_suffix="%"))

    assert float(bars(root)[0].get("width")) == 0
    assert "—" in texts(root) and "50%" in texts(root)


def test_a_chart_of_zeros_or_no_categories_still_draws():
    assert parsed(chart(series=[Series("Đề nghị", [0, 0])])).get("role") == "img"
    assert parsed(chart(categories=[], series=[Series("Đề nghị", [])])).get("role") == "img"


def test_a_series_without_one_value_per_category_is_refused():
    with pytest.raises(ValueError, match="one value per category"):
        chart(series=[Series("Đề nghị", [1])])


def test_a_long_unit_name_is_shortened_on_the_chart_but_whole_in_the_tooltip():
    name = "Trung tâm Ngoại ngữ - Tin học và Bồi dưỡng thường xuyên"
    root = parsed(chart(categories=[name, "Khoa Văn"]))

    assert name not in texts(root)
    assert any(t.endswith("…") for t in texts(root))
    assert bars(root)[0].find(f"{SVG}title").text.startswith(name)
