"""Board pack: are we on track, why, and what must the board decide? Exceptions and the
programme's dimensions first, then each deliverable's forecast against its target, then the
published highlight reports. The landing page for programme board members."""

from datetime import date

import streamlit as st

from tracker.errors import TrackerError
from tracker.services.board.exports import export
from tracker.services.board.period import Period
from tracker.ui.board import (
    choose_period,
    current_pack_version,
    deliverables_table,
    downloads,
    exceptions_table,
    load_published,
    load_report,
    notes_form,
    programme_table,
    publish_button,
    published_file,
    published_table,
    ratings_table,
    styled,
    thresholds_section,
)
from tracker.ui.markdown import plain
from tracker.ui.page import page_setup

actor, programme = page_setup("board-pack", programme=True)

version = current_pack_version(actor, programme.id)
default = load_report(actor, programme.id, None, None, version)
first = Period(
    date.fromisoformat(default["period"]["start"]), date.fromisoformat(default["period"]["end"])
)
start, end = choose_period(first)
st.caption(
    "By default the last two weeks up to the latest sprint end. Jira figures are taken at the "
    "period's end; acceptance, assurance and the RAID log as they stand now. Derived ratings are "
    "advisory: they never change a deliverable's declared RAG."
)
try:
    content = (
        default if (start, end) == (first.start, first.end)
        else load_report(actor, programme.id, start, end, version)
    )  # fmt: skip
except TrackerError as exc:
    st.error(plain(exc))
    st.stop()
period = Period(
    date.fromisoformat(content["period"]["start"]), date.fromisoformat(content["period"]["end"])
)

st.header("Exceptions")
exceptions = exceptions_table(content)
if exceptions.empty:
    st.success("No exceptions: no declared rating is better than the data, no forecast is late.")
else:
    st.dataframe(exceptions, hide_index=True, key="exceptions_table")

st.header("Programme dimensions")
st.dataframe(
    styled(programme_table(content), ["Derived", "Last period"]),
    hide_index=True,
    key="programme_table",
)
for item, label in (("top_risks", "Top open risks"), ("decisions", "Decisions needed")):
    shown = content["programme_risks"][item]
    if shown:
        st.markdown(f"**{label} (programme-wide)**")
        st.markdown("\n".join(f"- {plain(text)}" for text in shown))

st.header("Deliverables: forecast against target")
st.dataframe(
    styled(deliverables_table(content), ["Declared", "Derived"]),
    hide_index=True,
    key="deliverables_table",
)
st.subheader("Why, and the owner's notes")
by_id = {d["id"]: d for d in content["deliverables"]}
if by_id:
    chosen = st.selectbox(
        "Deliverable",
        list(by_id),
        format_func=lambda i: f"{by_id[i]['ref']} {by_id[i]['title']}",
        key="pack_deliverable",
    )
    deliverable = by_id[chosen]
    st.dataframe(
        styled(ratings_table(deliverable), ["Declared", "Derived", "Last period"]),
        hide_index=True,
        key="pack_ratings",
    )
    st.markdown("**Summary**")
    st.text(deliverable["summary"] or "The owner has not written a summary for this period.")
    st.markdown("**Next period**")
    st.text(deliverable["next_period"] or "The owner has not written the plan yet.")
    for item, label in (("top_risks", "Top open risks"), ("decisions", "Decisions needed")):
        if deliverable["risks"][item]:
            st.markdown(f"**{label}**")
            st.markdown("\n".join(f"- {plain(text)}" for text in deliverable["risks"][item]))

st.subheader(f"The report for {period}")
downloads(
    lambda kind: export(content, kind),
    f"highlight-report-{period.start}-{period.end}-draft",
    "draft",
)
publish_button(actor, programme.id, period)

st.header("Published reports")
published = load_published(actor, programme.id, version)
if published.empty:
    st.info("No highlight report has been published for this programme yet.")
else:
    st.dataframe(published_table(published), hide_index=True, key="published_table")
    chosen = st.selectbox(
        "Published report to download",
        list(published["id"]),
        format_func=lambda i: f"Report {i}",
        key="published_choice",
    )
    downloads(
        lambda kind: published_file(actor, int(chosen), kind),
        f"highlight-report-{chosen}",
        "published",
    )

notes_form(actor, programme.id, period)
thresholds_section(actor, programme.id)
