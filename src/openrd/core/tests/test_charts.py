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


def test_a_line_chart_draws_values_and_target_markers_accessibly():
    from openrd.core.charts import line_chart_svg

    svg = line_chart_svg(
        ["2022年度", "2023年度", "2024年度"],
        [("実績", [1.0, None, 3.0])],
        markers=[("目標", [None, None, 5.0])],
        title="利用者数",
        desc="2022年度: 1、2024年度: 3（目標 5）",
        chart_id="line",
    )
    assert svg.startswith("<svg ")
    assert 'aria-labelledby="line-title line-desc"' in svg
    assert "style=" not in svg
    assert "2024年度" in svg  # the fiscal years stay text
    assert "実績" in svg  # the legend
    assert "目標" in svg
    assert '<title id="line-title">利用者数</title>' in svg
