"""Every write and every export records its actor in the audit log."""

from sqlalchemy import select

from nlc_toolkit.db import repo
from nlc_toolkit.db.models import AuditEvent
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import admin, network, results
from nlc_toolkit.services import assessments as svc
from tests.helpers import readme_example_text

PW = "long enough password"


def _events(s, action: str, entity: str) -> list[AuditEvent]:
    return s.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity == entity)
                     .order_by(AuditEvent.id)).all()


def test_writes_and_exports_carry_their_actor(migrated):
    with session_scope() as s:
        version = repo.register_questionnaire(s, readme_example_text(), "example")
        boss = svc.actor_of(repo.create_user(s, "boss@x.org", PW, "admin"))
        staff = svc.actor_of(repo.create_user(s, "staff@x.org", PW, "network_staff"))
        city = admin.create_city(s, boss, "Tangier", "Morocco", "mena", "500k_1m")
        editor_user = repo.create_user(s, "ed@tangier.org", PW, "city_editor", city)
        editor = svc.actor_of(editor_user)
        a = svc.create(s, editor, city.id, version.id, 2026, 1)
        svc.answer(s, editor, a.id, "mandate.lead_office", "2")
        svc.invite(s, editor, a.id, "focal@gov.org", "Focal point", "national")
        results.record_download(s, editor, a.id, "pdf")
        network.record_export(s, staff, "nlc-quick-scan", "xlsx", True)
    with session_scope() as s:
        assert [e.user_id for e in _events(s, "create", "city")] == [boss.user_id]
        assert [e.user_id for e in _events(s, "create", "assessment")] == [editor.user_id]
        assert [e.user_id for e in _events(s, "respondent", "assessment")] == [editor.user_id]
        assert [e.user_id for e in _events(s, "invite", "assessment")] == [editor.user_id]
        assert [(e.user_id, e.detail["kind"]) for e in _events(s, "download", "assessment")] == [(editor.user_id, "pdf")]
        exports = _events(s, "export", "network")
        assert [(e.user_id, e.detail["anonymised"]) for e in exports] == [(staff.user_id, True)]
