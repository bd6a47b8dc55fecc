"""The main report: exposure of every occupation and what it means for workers."""

from laborlens.report.main import ReportResult, make_report

__all__ = ["ReportResult", "make_report"]
