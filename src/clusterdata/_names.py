"""The table names, for type checkers and editors. Made by `clusterdata build`; do not edit."""

from typing import Literal

TableName = Literal[
    "hefei_state_investments",
    "ict_export_activities",
    "ict_fdi",
    "ict_market_performance",
    "ict_ownership_structure",
    "ict_rd_intensity",
    "ict_top_exporters",
    "ipad_suppliers",
    "pinghu_investment_reasons",
    "pinghu_output",
    "pinghu_survey_profile",
    "statistics",
    "us_car_value_added",
    "sources",
    "source_contents",
    "units",
    "annotations",
]
