"""Rate targets: company defaults, an estate's own overriding them, who set them and when;
managers write, every role that sees the rates reads; the page and the API."""

import json
from decimal import Decimal

import pytest

from estate.dashboard import selectors
from estate.dashboard.services import kpi_target_clear, kpi_target_set
from estate.errors import DomainError
from estate.models import KpiTarget
from tests.factories import make_company_admin, make_staff

KEY = "repairs.timely_rate"


def test_estate_target_overrides_the_company_default_and_keeps_who_and_when(estate_a, estate_b):
    admin = make_company_admin("boss")
    manager = make_staff(estate_a, "manager", "mgr-a")
    kpi_target_set(user=admin, estate=None, key=KEY, target="0.90")
    own = kpi_target_set(user=manager, estate=estate_a, key=KEY, target="95%")
    assert own.target == Decimal("0.9500") and own.set_by == manager and own.set_at
    targets = selectors.targets_for([estate_a.pk, estate_b.pk])
    assert selectors.effective_target(targets, estate_a.pk, KEY).target == Decimal("0.95")
    assert selectors.effective_target(targets, estate_b.pk, KEY).target == Decimal("0.90")
    kpi_target_clear(user=manager, estate=estate_a, key=KEY)
    targets = selectors.targets_for([estate_a.pk])
    assert selectors.effective_target(targets, estate_a.pk, KEY).target == Decimal("0.90")


@pytest.mark.parametrize("value", ["1.5", "-1", "abc", "", "101%", "NaN"])
def test_a_target_outside_0_to_1_is_refused_naming_the_field(estate_a, value):
    with pytest.raises(DomainError) as exc:
        kpi_target_set(user=make_staff(estate_a, "manager"), estate=estate_a, key=KEY, target=value)
    assert exc.value.field == "target"
    assert not KpiTarget.objects.exists()


def test_unknown_key_is_refused(estate_a):
    with pytest.raises(DomainError) as exc:
        kpi_target_set(
            user=make_staff(estate_a, "manager"), estate=estate_a, key="no.such", target="0.9"
        )
    assert exc.value.field == "key"


def test_only_managers_set_an_estates_target_and_only_company_admins_the_default(estate_a):
    with pytest.raises(DomainError) as exc:
        kpi_target_set(
            user=make_staff(estate_a, "front_desk"), estate=estate_a, key=KEY, target="0.9"
        )
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        kpi_target_set(user=make_staff(estate_a, "manager"), estate=None, key=KEY, target="0.9")
    assert exc.value.status == 403


def test_manager_edits_targets_on_the_page(client, estate_a):
    manager = make_staff(estate_a, "manager")
    client.force_login(manager)
    page = client.get("/dashboard/targets/", {"estate": "HY01"})
    assert page.status_code == 200 and "处理及时率" in page.content.decode()
    response = client.post(
        "/dashboard/targets/?estate=HY01",
        {"estate": "HY01", "key": KEY, "scope": "estate", "target": "92%"},
    )
    assert response.status_code == 302
    assert KpiTarget.objects.get(estate=estate_a, key=KEY).target == Decimal("0.92")
    bad = client.post(
        "/dashboard/targets/?estate=HY01",
        {"estate": "HY01", "key": KEY, "scope": "estate", "target": "x"},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "请输入数字" in html and 'value="x"' in html  # the error beside the field, refilled
    # Not a company admin: the defaults are not offered, and posting one is refused.
    assert 'value="company"' not in html
    refused = client.post(
        "/dashboard/targets/?estate=HY01",
        {"estate": "HY01", "key": KEY, "scope": "company", "target": "0.5"},
    )
    assert refused.status_code == 403
    assert not KpiTarget.objects.filter(estate__isnull=True).exists()


def test_front_desk_reads_targets_but_gets_no_form(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    html = client.get("/dashboard/targets/", {"estate": "HY01"}).content.decode()
    assert 'name="target"' not in html
    response = client.post(
        "/dashboard/targets/?estate=HY01",
        {"estate": "HY01", "key": KEY, "scope": "estate", "target": "0.5"},
    )
    assert response.status_code == 403


# API -------------------------------------------------------------------------------------------


def _put(client, body):
    return client.put("/api/v1/kpi-targets", json.dumps(body), content_type="application/json")


def test_api_targets_read_by_front_desk_written_by_manager(client, estate_a):
    admin = make_company_admin("boss")
    kpi_target_set(user=admin, estate=None, key=KEY, target="0.9")
    client.force_login(make_staff(estate_a, "front_desk"))
    rows = client.get("/api/v1/kpi-targets", {"estate": "HY01"}).json()
    row = next(r for r in rows if r["key"] == KEY)
    assert row == {
        "estate": "HY01",
        "key": KEY,
        "label": row["label"],
        "target": None,
        "default": "0.9000",
        "effective": "0.9000",
        "set_by": "boss",
        "set_at": row["set_at"],
    }
    assert row["set_at"].endswith("+08:00")
    refused = _put(client, {"estate": "HY01", "key": KEY, "target": "0.95"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"

    client.force_login(make_staff(estate_a, "manager", "mgr"))
    ok = _put(client, {"estate": "HY01", "key": KEY, "target": "95%"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["target"] == "0.9500" and ok.json()["effective"] == "0.9500"
    assert ok.json()["set_by"] == "mgr"
    bad = _put(client, {"estate": "HY01", "key": KEY, "target": "2"})
    assert bad.status_code == 422 and bad.json()["field"] == "target"
    cleared = client.delete(f"/api/v1/kpi-targets?estate=HY01&key={KEY}")
    assert cleared.status_code == 200 and cleared.json()["effective"] == "0.9000"


def test_api_other_estate_is_404(client, estate_a, estate_b):
    client.force_login(make_staff(estate_a, "manager"))
    assert client.get("/api/v1/kpi-targets", {"estate": "HY02"}).status_code == 404
    assert _put(client, {"estate": "HY02", "key": KEY, "target": "0.9"}).status_code == 404
    assert not KpiTarget.objects.exists()


def test_api_company_defaults_by_company_admin(client, estate_a):
    client.force_login(make_company_admin())
    ok = _put(client, {"estate": None, "key": KEY, "target": "0.8"})
    assert (
        ok.status_code == 200 and ok.json()["default"] == "0.8000" and ok.json()["estate"] is None
    )
    assert client.get("/api/v1/kpi-targets").json()[0]["estate"] is None
