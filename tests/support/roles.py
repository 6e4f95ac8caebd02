"""The demo users the tests act as, one per role (emails as in data/demo/programme.json)."""

ADMIN = "priya.raman@northmoor.gov.uk"
OWNER = "tom.hargreaves@northmoor.gov.uk"
BOARD = "joan.whitfield@westbridge.gov.uk"
SUPPLIER = "karen.stokes@ledgerline.co.uk"
#: a supplier contact (Carers Link Trust) with no acceptance criteria waiting in the demo
IDLE_SUPPLIER = "sarah.whitlock@carerslink.org.uk"
#: a project owner of another council (Southmere owns MB-01 and WB-01)
OTHER_OWNER = "helen.marsh@southmere.gov.uk"
ROLES = {
    "admin": ADMIN,
    "project owner": OWNER,
    "other project owner": OTHER_OWNER,
    "board member": BOARD,
    "supplier": SUPPLIER,
    "idle supplier": IDLE_SUPPLIER,
}
