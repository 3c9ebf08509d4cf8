"""The daily run (off by default; turn it on in the UI: Automation)."""

import dagster as dg

from orchestration.defs.jobs import materialize_all

daily_run_schedule = dg.ScheduleDefinition(
    name="daily_run",
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    job=materialize_all,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    tags={"hcops/trigger": "daily_run"},
    description="Every morning: land whatever arrived and is not landed yet (a safety net "
    "under the landing_folders sensor), rebuild, post to the ERP, read it back.",
)

defs = dg.Definitions(schedules=[daily_run_schedule])
