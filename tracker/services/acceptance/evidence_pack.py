"""A deliverable's evidence pack for a gate review: CSV files and one self-contained HTML page.

The pack holds the criteria as they stand, every version of their wording, who confirmed them and
who accepted or rejected them (and why), the evidence links, and the deliverable's ledger entries
with the result of verifying the whole chain. People's names are looked up from `person` when the
pack is made (an erased person shows as such); the ledger itself holds only ids.

Everything written is inert: HTML is escaped and the page forbids scripts and remote content; CSV
cells that a spreadsheet would run as a formula are quoted (`tracker.services.spreadsheets`).
"""

import html
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
from sqlmodel import Session, select

from tracker.models import CriterionMove, Organisation
from tracker.models.types import utcnow
from tracker.policy import Action, Actor, require
from tracker.services.acceptance.views import criteria_frame, evidence_frame, versions_frame
from tracker.services.audit import LedgerCheck, ledger_frame, verify_ledger
from tracker.services.file_names import file_name
from tracker.services.lookups import visible_deliverable
from tracker.services.spreadsheets import inert
from tracker.uk_time import uk_time

M = CriterionMove


@dataclass(frozen=True)
class EvidencePack:
    ref: str
    title: str
    owner: str
    supplier: str
    generated_at: datetime
    generated_by: str
    ledger: LedgerCheck
    criteria: pd.DataFrame
    versions: pd.DataFrame
    evidence: pd.DataFrame
    audit: pd.DataFrame


def _last(audit: pd.DataFrame, criterion_id: int, actions: set[str], version: int) -> pd.Series:
    rows = audit[
        audit["criterion_id"].eq(criterion_id)
        & audit["action"].isin(actions)
        & audit["version"].eq(version)
    ]
    return rows.iloc[-1] if len(rows) else pd.Series(dtype=object)


def _when(value: object) -> str:
    return "" if pd.isna(value) else uk_time(pd.Timestamp(value))


def _criteria_table(criteria: pd.DataFrame, audit: pd.DataFrame) -> pd.DataFrame:
    """One row per criterion: its state, who confirmed the current version, and the decision."""
    rows = []
    for c in criteria.itertuples():
        confirmed = _last(audit, c.id, {M.confirm.value}, c.version)
        decided = _last(audit, c.id, {M.accept.value, M.reject.value}, c.version)
        rows.append(
            {
                "Criterion": c.code,
                "Title": c.title,
                "Status": c.status,
                "Version": c.version,
                "SoW reference": c.sow_ref or "",
                "Stage": c.stage or "",
                "Sprint": c.sprint or "",
                "Due": "" if pd.isna(c.due) else str(c.due),
                "Jira issues": c.jira_keys,
                "Confirmed by": confirmed.get("who", ""),
                "Confirmed at": _when(confirmed.get("at")),
                "Decision": decided.get("action", ""),
                "Decided by": decided.get("who", ""),
                "Decided at": _when(decided.get("at")),
                "Reason or comment": decided.get("comment", "") or "",
            }
        )
    return pd.DataFrame(rows)


def build_evidence_pack(session: Session, actor: Actor, *, deliverable_id: int) -> EvidencePack:
    """Everything a gate review needs about one deliverable's acceptance (staff only)."""
    require(actor, Action.read_programme)
    deliverable = visible_deliverable(session, actor, deliverable_id=deliverable_id)
    orgs = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    criteria = criteria_frame(session, actor, deliverable_id=deliverable_id)
    codes = dict(zip(criteria["id"], criteria["code"], strict=True))
    audit = ledger_frame(session, actor, deliverable_id=deliverable_id)
    audit.insert(2, "criterion", audit["criterion_id"].map(codes))
    versions = versions_frame(session, actor, deliverable_id=deliverable_id)
    return EvidencePack(
        ref=deliverable.ref,
        title=deliverable.title,
        owner=orgs.get(deliverable.owner_org_id, ""),
        supplier=orgs.get(deliverable.supplier_org_id, "none"),
        generated_at=utcnow(),
        generated_by=actor.label,
        ledger=verify_ledger(session, actor),
        criteria=_criteria_table(criteria, audit),
        versions=versions.drop(columns=["criterion_id"]),
        evidence=evidence_frame(session, actor, deliverable_id=deliverable_id).drop(
            columns=["criterion_id"]
        ),
        audit=audit.drop(columns=["criterion_id"]),
    )


def pack_csv(pack: EvidencePack) -> dict[str, str]:
    """File name -> CSV text, one file per table."""
    tables = {
        "criteria": pack.criteria,
        "versions": pack.versions,
        "evidence": pack.evidence,
        "audit": pack.audit,
    }
    return {
        file_name(pack.ref, name, suffix=".csv"): inert(frame).to_csv(index=False)
        for name, frame in tables.items()
    }


def _cell(column: str, value: object) -> str:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        return html.escape(_when(value))
    text = html.escape(str(value))
    if column == "url" and urlsplit(str(value)).scheme in ("http", "https"):
        return f'<a href="{text}" rel="noreferrer noopener">{text}</a>'
    return text


def _table(frame: pd.DataFrame, caption: str) -> str:
    if frame.empty:
        return f"<p>{html.escape(caption)}: none.</p>"
    columns = list(frame.columns)
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in columns)
    rows = (
        "".join(f"<td>{_cell(c, v)}</td>" for c, v in zip(columns, row, strict=True))
        for row in frame.itertuples(index=False)
    )
    body = "".join(f"<tr>{cells}</tr>" for cells in rows)
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


STYLE = """
body { font-family: Arial, sans-serif; color: #0b0c0c; margin: 2rem; line-height: 1.4; }
table { border-collapse: collapse; margin: 1rem 0 2rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 0.5rem 0; }
th, td { border: 1px solid #505a5f; padding: 0.3rem 0.5rem; vertical-align: top;
         text-align: left; white-space: pre-wrap; overflow-wrap: anywhere; }
th { background: #f3f2f1; }
a { color: #1d70b8; }
.ledger { padding: 0.5rem 1rem; border-left: 6px solid #505a5f; background: #f3f2f1; }
"""


def pack_html(pack: EvidencePack) -> str:
    """One HTML page with no scripts and nothing fetched from elsewhere."""
    e = html.escape
    facts = {
        "Owning council": pack.owner,
        "Supplier": pack.supplier,
        "Generated": _when(pack.generated_at),
        "Generated by": pack.generated_by,
    }
    details = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts.items())
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Evidence pack: {e(pack.ref)} {e(pack.title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>Evidence pack: {e(pack.ref)} {e(pack.title)}</h1>
<dl>{details}</dl>
<p class="ledger">{e(pack.ledger.summary())}</p>
<h2>Criteria</h2>
{_table(pack.criteria, "Criteria, who confirmed the current version, and the decision")}
<h2>Versions</h2>
{_table(pack.versions, "Every wording of every criterion")}
<h2>Evidence</h2>
{_table(pack.evidence, "Evidence links submitted by the supplier")}
<h2>Audit entries</h2>
{_table(pack.audit, "Ledger entries for this deliverable, oldest first")}
</main>
</body>
</html>
"""


def write_pack(pack: EvidencePack, out_dir: Path) -> list[Path]:
    """Write the CSV files and the HTML page into `out_dir` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = pack_csv(pack) | {file_name(pack.ref, "evidence-pack", suffix=".html"): pack_html(pack)}
    written = []
    for name, content in files.items():
        path = out_dir / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def pack_zip(pack: EvidencePack) -> bytes:
    """The CSV files in one zip archive, for a download button."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in pack_csv(pack).items():
            archive.writestr(name, content)
    return buffer.getvalue()
