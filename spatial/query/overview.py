"""The overview chart beside the map: how many places each plan ties to each industry.

A heatmap of plan × industry feature counts. Clicking a cell selects that plan and industry
(the chart's ``pick`` point selection), which the app turns into its filters. The counts
ignore the plan and industry filters (those are what a click sets) but follow the others.

Building the spec with Altair (which validates it against the Vega-Lite schema) costs some
0.1 s, so the app builds it once per set of other filters and outlines the cells of the plan
and industry filters with :func:`mark_picked`, which only copies the data rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import geopandas as gpd
import pandas as pd

from spatial.query.features import Selection, plan_industry_table, select

__all__ = ["PICK", "mark_picked", "overview_spec", "overview_table"]

#: Name of the chart's click selection (``selection_mode`` in the app).
PICK = "pick"


def overview_table(
    gdf: gpd.GeoDataFrame, sel: Selection, plan_names: Mapping[str, str]
) -> pd.DataFrame:
    """Plan × industry counts under a selection's other filters (long form).

    Returns
    -------
    DataFrame
        Columns ``plan``, ``plan_name``, ``industry``, ``count`` and ``picked`` (the cell is
        in the current plan and industry filters).
    """
    base = select(gdf, sel.with_(plans=(), industries=(), roles=()))
    table = plan_industry_table(base, roles=sel.roles)  # each plan's own roles
    table["plan_name"] = table["plan"].map(lambda p: plan_names.get(p, p))
    in_plans = table["plan"].isin(sel.plans) if sel.plans else True
    table["picked"] = table["industry"].isin(sel.industries) & in_plans
    return table


def overview_spec(
    table: pd.DataFrame,
    plan_order: Sequence[str],
    industry_order: Sequence[str],
) -> dict[str, Any] | None:
    """The Vega-Lite spec of the heatmap, with a ``pick`` click selection; None if empty.

    Parameters
    ----------
    table : DataFrame
        From :func:`overview_table`.
    plan_order, industry_order : sequence of str
        Row order (plan display names) and column order (industry tags).
    """
    if table.empty:
        return None
    present_tags = set(table["industry"])
    present_plans = set(table["plan_name"])
    tags = [t for t in industry_order if t in present_tags]
    plans = [p for p in plan_order if p in present_plans]
    pick = alt.selection_point(name=PICK, fields=["plan", "industry"], on="click")
    # industries down the side (Chinese labels read horizontally), plans across the top
    enc = {
        "y": alt.Y(
            "industry:N",
            sort=tags,
            title=None,
            axis=alt.Axis(labelLimit=160, labelOverlap=False, labelFontSize=12),
        ),
        "x": alt.X(
            "plan_name:N",
            sort=plans,
            title=None,
            axis=alt.Axis(
                orient="top",
                labelAngle=-30,
                labelAlign="left",
                labelLimit=160,
                labelOverlap=False,
                labelFontSize=12,
            ),
        ),
    }
    cells = (
        alt.Chart(table)
        .mark_rect(stroke="#222")
        .encode(
            **enc,
            color=alt.Color("count:Q", title="地点数 Places", scale=alt.Scale(scheme="blues")),
            strokeWidth=alt.condition("datum.picked", alt.value(3), alt.value(0.3)),
            tooltip=[
                alt.Tooltip("plan_name:N", title="规划"),
                alt.Tooltip("industry:N", title="产业"),
                alt.Tooltip("count:Q", title="地点数"),
            ],
        )
        .add_params(pick)
    )
    top = int(table["count"].max())
    labels = (
        alt.Chart(table)
        .mark_text(fontSize=11)
        .encode(
            **enc,
            text="count:Q",
            color=alt.condition(f"datum.count > {top / 2}", alt.value("white"), alt.value("black")),
        )
    )
    chart = (cells + labels).properties(height=24 * len(tags))
    return chart.to_dict()


def mark_picked(
    spec: dict[str, Any], plans: Sequence[str], industries: Sequence[str]
) -> dict[str, Any]:
    """A copy of a spec with the cells of these plan and industry filters outlined.

    A cell is ``picked`` when its industry is among ``industries`` and, if any plans are given,
    its plan among ``plans`` (the rule of :func:`overview_table`). The given spec, which the
    app shares between sessions, is not modified; only its data rows are copied.
    """
    industries, plans = set(industries), set(plans)

    def picked(row: Mapping[str, Any]) -> bool:
        return row.get("industry") in industries and (not plans or row.get("plan") in plans)

    datasets = {
        name: [{**row, "picked": picked(row)} if "picked" in row else row for row in rows]
        for name, rows in spec.get("datasets", {}).items()
    }
    return {**spec, "datasets": datasets}
