"""Every write and every export records its actor in the audit log."""

from sqlalchemy import select

from nlc_toolkit.db.models import AuditEvent
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import admin, network, results
from nlc_toolkit.services import assessments as svc
from tests import factories


def _events(s, action: str, entity: str) -> list[AuditEvent]:
    return s.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity == entity)
                     .order_by(AuditEvent.id)).all()


def test_writes_and_exports_carry_their_actor(migrated):
    with session_scope() as s:
        version = factories.example_questionnaire(s)
        boss = factories.actor(s, "boss@x.org", "admin")
        staff = factories.actor(s, "staff@x.org", "network_staff")
        city = admin.create_city(s, boss, "Tangier", "Morocco", "mena", "500k_1m")
        editor = factories.actor(s, "ed@tangier.org", "city_editor", city)
        a = factories.assessment(s, editor, city, version)
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
