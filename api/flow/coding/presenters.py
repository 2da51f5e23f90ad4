"""The body of `/v3/customer/metrics/code_fundamentals/period_metrics/`: a row per week (with its
Monday as `period_start_date`) or one for the range, values rounded to one decimal."""

from datetime import date

from formulas.coding import CodingMetrics, round_one_decimal


def period_metrics_body(values: list[tuple[date | None, CodingMetrics]]) -> dict:
    rows = []
    for week, metrics in values:
        row = {} if week is None else {"period_start_date": week.isoformat()}
        rows.append(
            {
                **row,
                "active_days": round_one_decimal(metrics.active_days),
                "commit_count": round_one_decimal(metrics.commit_count),
                "total_impact": round_one_decimal(metrics.total_impact),
                "total_efficiency": round_one_decimal(metrics.total_efficiency),
            }
        )
    return {"count": len(rows), "results": rows}
