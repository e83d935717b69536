"""The server-side SVG charts stay drawable inline whatever other libraries do."""

from xml.etree import ElementTree

from openrd.core.charts import SVG_NS, bar_chart_svg


def test_the_svg_is_in_the_default_namespace_even_after_another_library_named_a_prefix():
    # qrcode (allauth's TOTP set-up page) registers "svg" in ElementTree's global
    # registry; an <svg:svg> element inline in HTML would draw nothing.
    ElementTree.register_namespace("svg", SVG_NS)
    svg = bar_chart_svg(["採択", "不採択"], [3, 5], title="状況別", desc="採択: 3、不採択: 5",
                        chart_id="t")  # fmt: skip
    assert svg.startswith("<svg ")
    assert "<svg:" not in svg
    assert 'role="img"' in svg
    assert "<style" not in svg
    assert "style=" not in svg
    assert "採択" in svg  # text stays text
