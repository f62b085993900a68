"""Accounts: sign-in throttling, one-time passwords, password changes, and access that ends when an
admin changes a role or a city. Time is passed in (`now=`), never slept."""

from datetime import timedelta

import argon2
import pytest
from sqlalchemy import select

from nlc_toolkit.core import security
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import (
    Answer,
    AuditEvent,
    LoginThrottle,
    Respondent,
    User,
    utcnow,
)
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import accounts as auth
from nlc_toolkit.services import admin
from nlc_toolkit.services import assessments as svc
from tests import factories

PW = "correct horse battery"
EMAIL = "ed@tetouan.example.org"
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def user_id(migrated):
    with session_scope() as s:
        tetouan = factories.city(s, "Tetouan", population_band="100k_500k")
        return factories.user(s, EMAIL, "city_editor", tetouan, password=PW).id


@pytest.fixture
def argon2_calls(monkeypatch):
    """Every argon2 verification made, as the parameters of the hash it was given (None for a
    hash argon2 cannot even parse, which fails at once and costs nothing)."""
    calls = []
    real = argon2.PasswordHasher.verify

    def counting(self, hash, password):
        try:
            calls.append(argon2.extract_parameters(hash))
        except argon2.exceptions.InvalidHashError:
            calls.append(None)
        return real(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return calls


def sign_in(email, password, address="", now=None):
    with session_scope() as s:
        r = auth.sign_in(s, email, password, address=address, now=now)
        return r.error, r.wait_seconds, r.token


def test_delays_grow_after_five_failures_then_end(user_id, argon2_calls):
    now = utcnow()
    answers = []
    for i in range(12):
        # a new address each time: this is the account key alone
        error, wait, _ = sign_in(EMAIL, "wrong", address=f"192.0.2.{i}", now=now)
        answers.append((error, wait))
        if wait:
            held = sign_in(EMAIL, PW, address="192.0.2.200", now=now + timedelta(seconds=wait - 1))
            assert held[:2] == ("auth.error.throttled", 1)  # even the right password is not heard
            now += timedelta(seconds=wait)
    assert answers == [("auth.error.invalid", 0)] * 4 + [
        ("auth.error.invalid", w) for w in (1, 2, 4, 8, 16, 32, 60, 60)]  # an account waits 60 s at most
    assert len(argon2_calls) == 12  # one verification per heard attempt, none while held
    error, wait, token = sign_in(EMAIL, PW, address="192.0.2.200", now=now)
    assert error == "" and token
    # success forgets the failures: the next mistake starts again from zero
    assert sign_in(EMAIL, "wrong", address="192.0.2.201", now=now)[:2] == ("auth.error.invalid", 0)


def test_failures_are_forgotten_after_a_quiet_day(user_id):
    now = utcnow()
    for i in range(6):
        sign_in(EMAIL, "wrong", address=ATTACKER, now=now + timedelta(seconds=2 * i))
    later = now + auth.THROTTLE_FORGET + timedelta(minutes=1)
    # a failure from elsewhere a day later starts from zero and sweeps the idle rows away
    assert sign_in("other@example.org", "wrong", address=OWNER, now=later)[:2] == ("auth.error.invalid", 0)
    with session_scope() as s:
        assert s.get(LoginThrottle, auth.address_key(ATTACKER)) is None
    assert sign_in(EMAIL, "wrong", address=ATTACKER, now=later)[:2] == ("auth.error.invalid", 0)


def test_an_address_is_held_up_to_fifteen_minutes(user_id):
    now = utcnow()
    waits = []
    for i in range(16):
        # a new email each time: this is the address key alone
        error, wait, _ = sign_in(f"guess{i}@example.org", "wrong", address=ATTACKER, now=now)
        waits.append(wait)
        now += timedelta(seconds=wait)
    assert waits == [0] * 4 + [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert sign_in("other@example.org", "x", address=ATTACKER, now=now - timedelta(seconds=1))[:2] == \
        ("auth.error.throttled", 1)


def test_unknown_and_known_emails_get_the_same_answers_and_work(user_id, argon2_calls):
    now = utcnow()

    def attempts(email):
        out = []
        for i in range(9):
            out.append(sign_in(email, "wrong", address="", now=now + timedelta(seconds=i))[:2])
        return out

    known = attempts(EMAIL)
    work_known, argon2_calls[:] = list(argon2_calls), []
    unknown = attempts("nobody@tetouan.example.org")
    work_unknown = list(argon2_calls)
    assert known == unknown
    assert ("auth.error.throttled", 1) in known  # the held answer too, not "locked" for real accounts only
    with session_scope() as s:
        real = argon2.extract_parameters(s.get(User, user_id).password_hash)
    # the same number of verifications, each against a real argon2 hash of the same cost
    assert work_known == work_unknown == [real] * len(work_known) and work_known


def test_the_owner_gets_in_while_an_attacker_keeps_failing_elsewhere(user_id):
    now = utcnow()
    for _ in range(30):  # the attacker retries the moment each delay ends
        error, wait, _ = sign_in(EMAIL, "wrong", address=ATTACKER, now=now)
        if error == "auth.error.throttled":
            now += timedelta(seconds=wait)
            continue
        assert error == "auth.error.invalid"
        last_failure, now = now, now + timedelta(seconds=wait)
    assert wait == 900  # the attacker's address is held for 15 minutes at a time
    # the owner, from their own address, waits at most the short account delay
    error, owner_wait, _ = sign_in(EMAIL, PW, address=OWNER, now=last_failure + timedelta(seconds=1))
    assert error == "auth.error.throttled" and 0 < owner_wait <= 60
    error, _, token = sign_in(EMAIL, PW, address=OWNER, now=last_failure + timedelta(seconds=60))
    assert error == "" and token
    # the owner's success does not lift the attacker's address
    assert sign_in(EMAIL, PW, address=ATTACKER, now=last_failure + timedelta(seconds=61))[0] == "auth.error.throttled"


def test_failed_sign_ins_are_audited_without_the_password(user_id):
    sign_in(EMAIL, "secret guess 1", address=ATTACKER)
    sign_in("nobody@example.org", "secret guess 2", address=ATTACKER)
    with session_scope() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_failed").order_by(AuditEvent.id)).all()
        assert [(e.user_id, e.detail["address"], e.detail["reason"]) for e in rows] == [
            (user_id, ATTACKER, "invalid"), (None, ATTACKER, "invalid")]
        assert all("guess" not in str(e.detail) and "password" not in e.detail for e in rows)
        assert "nobody" not in str([e.detail for e in rows])


def test_sign_out_is_audited(user_id):
    _, _, token = sign_in(EMAIL, PW, address=OWNER)
    with session_scope() as s:
        auth.sign_out(s, token, address=OWNER)
    with session_scope() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "sign_out"))
        assert (event.user_id, event.entity_id, event.detail) == (user_id, str(user_id), {"address": OWNER})
        assert auth.user_for_token(s, token) is None


def test_the_dummy_hash_is_a_real_argon2_hash():
    params = argon2.extract_parameters(security.dummy_hash())
    assert params == argon2.extract_parameters(security.hash_password("x" * 12))
    assert security.dummy_hash() == security.dummy_hash()  # made once
    assert not security.verify_password(security.dummy_hash(), "")


def test_password_rules():
    assert security.password_problem("short") and security.password_problem(security.DEMO_PASSWORD)
    assert security.password_problem("Ed@Tetouan.org", "ed@tetouan.org")
    assert security.password_problem("correct horse battery", "ed@tetouan.org") is None
    assert security.password_problem("x" * 257)


def test_a_huge_password_costs_no_more_than_a_long_one(user_id, monkeypatch):
    lengths = []
    real = argon2.PasswordHasher.verify
    monkeypatch.setattr(argon2.PasswordHasher, "verify", lambda self, h, p: lengths.append(len(p)) or real(self, h, p))
    assert sign_in(EMAIL, "x" * 1_000_000)[0] == "auth.error.invalid"
    assert lengths == [security.MAX_PASSWORD_LENGTH + 1]


# --------------------------------------------------------------------------- one-time passwords


@pytest.fixture
def admin_actor(migrated):
    with session_scope() as s:
        return factories.actor(s, "admin@scn.org", "admin", password="admin password 1")


def test_a_one_time_password_must_be_changed_and_expires(admin_actor):
    with session_scope() as s:
        city = factories.city(s, "Tetouan", population_band="100k_500k")
        user, password = admin.create_user(s, admin_actor, EMAIL, "Ed", "city_editor", city.id)
    with session_scope() as s:
        result = auth.sign_in(s, EMAIL, password)
        assert result.token and result.must_change_password
        # still signed in: the page sends them to the change form
        assert auth.user_for_token(s, result.token).must_change_password
    late = utcnow() + auth.ONE_TIME_VALIDITY + timedelta(seconds=1)
    assert sign_in(EMAIL, password, now=late)[0] == "auth.error.expired"
    assert sign_in(EMAIL, "not the password", now=late)[0] == "auth.error.invalid"
    with session_scope() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")).first()
        assert event.detail["reason"] == "expired" and event.user_id == user.id


def test_a_reset_password_is_one_time_and_ends_sessions(admin_actor, user_id):
    _, _, token = sign_in(EMAIL, PW)
    for i in range(6):
        sign_in(EMAIL, "wrong", now=utcnow() + timedelta(seconds=i))
    with session_scope() as s:
        password = admin.reset_password(s, admin_actor, user_id)
    with session_scope() as s:
        assert auth.user_for_token(s, token) is None
        assert s.get(LoginThrottle, auth.account_key(EMAIL)) is None  # the reset lifts the delay
        assert auth.sign_in(s, EMAIL, PW).error == "auth.error.invalid"
    with session_scope() as s:
        result = auth.sign_in(s, EMAIL, password)
        assert result.token and result.must_change_password
    later = utcnow() + auth.ONE_TIME_VALIDITY + timedelta(minutes=1)
    assert sign_in(EMAIL, password, now=later)[0] == "auth.error.expired"


def test_create_user_one_time_and_demo_flags(migrated):
    with session_scope() as s:
        plain = repo.create_user(s, "a@x.org", PW, "admin")
        once = repo.create_user(s, "b@x.org", PW, "admin", one_time=True)
        demo = repo.create_user(s, "c@x.org", security.DEMO_PASSWORD, "admin", demo=True)
        assert (plain.must_change_password, plain.password_expires_at, plain.password_is_demo) == (False, None, False)
        assert once.must_change_password and once.password_expires_at > utcnow() + timedelta(hours=71)
        assert demo.password_is_demo
        with pytest.raises(repo.RepoError, match="demo password"):
            repo.create_user(s, "d@x.org", security.DEMO_PASSWORD, "admin")


# --------------------------------------------------------------------------- changing a password


def test_change_password_ends_other_sessions_and_keeps_this_one(user_id):
    with session_scope() as s:
        s.get(User, user_id).must_change_password = True
    tokens = [sign_in(EMAIL, PW, address=OWNER)[2] for _ in range(3)]
    new = "a much better passphrase"
    with session_scope() as s:
        for current, candidate, key in [
            ("wrong", new, "account.error.current"),
            (PW, PW, "account.error.same"),
            (PW, "short", "account.error.weak"),
            (PW, security.DEMO_PASSWORD, "account.error.weak"),
            (PW, EMAIL, "account.error.weak"),
        ]:
            with pytest.raises(svc.Invalid, match=key):
                auth.change_password(s, user_id, current, candidate, keep_token=tokens[0])
    with session_scope() as s:
        auth.change_password(s, user_id, PW, new, keep_token=tokens[0])
    with session_scope() as s:
        assert auth.user_for_token(s, tokens[0]).id == user_id
        assert auth.user_for_token(s, tokens[1]) is None and auth.user_for_token(s, tokens[2]) is None
        user = s.get(User, user_id)
        assert not user.must_change_password and user.password_expires_at is None
        events = s.scalars(select(AuditEvent).where(AuditEvent.action.like("change_password%"))
                           .order_by(AuditEvent.id)).all()
        assert [(e.action, e.user_id) for e in events] == [("change_password_failed", user_id),
                                                             ("change_password", user_id)]
    assert sign_in(EMAIL, PW)[0] == "auth.error.invalid"
    assert sign_in(EMAIL, new)[2]


def test_wrong_current_passwords_are_throttled_too(user_id):
    now = utcnow()
    with session_scope() as s:
        for _ in range(5):
            with pytest.raises(svc.Invalid, match="account.error.current"):
                auth.change_password(s, user_id, "wrong", "a much better passphrase", now=now)
        with pytest.raises(svc.Invalid, match="auth.error.throttled") as held:
            auth.change_password(s, user_id, PW, "a much better passphrase", now=now)
        assert held.value.values == {"wait_seconds": 1}


# --------------------------------------------------------------------------- access follows the account


@pytest.fixture
def moved(admin_actor):
    """An editor of Tangier who answered Tangier's assessment and was invited to one of Fes."""
    with session_scope() as s:
        version = factories.example_questionnaire(s)
        tangier, fes = factories.city(s, "Tangier"), factories.city(s, "Fes")
        editor = factories.user(s, "ed@tangier.org", "city_editor", tangier, password=PW)
        # bare assessment rows: the editor is a respondent of each only by the invitation below
        own = repo.create_assessment(s, tangier, version, 2026)
        guest = repo.create_assessment(s, fes, version, 2026)
        rows = {}
        for name, a in (("own", own), ("guest", guest)):
            r = factories.respondent(s, a, "Ed", "municipality", editor)
            factories.answer(s, r, "mandate.lead_office", "2", by=editor)
            rows[name] = r.id
        return {"editor": editor.id, "tangier": tangier.id, "fes": fes.id, **rows}


def saved_while_signed_in(moved, admin_actor, role, city) -> str:
    """The moved editor signs in, then an admin saves them with `role` and `city`: their token."""
    _, _, token = sign_in("ed@tangier.org", PW)
    with session_scope() as s:
        admin.update_user(s, admin_actor, moved["editor"], role, moved[city])
    return token


def test_a_city_change_ends_sessions_and_the_old_city_grant(moved, admin_actor):
    token = saved_while_signed_in(moved, admin_actor, "city_editor", "fes")
    with session_scope() as s:
        assert auth.user_for_token(s, token) is None
        own, guest = s.get(Respondent, moved["own"]), s.get(Respondent, moved["guest"])
        assert not own.invited and guest.invited  # only the old city's grant ends
        answers = s.scalars(select(Answer.respondent_id).order_by(Answer.respondent_id)).all()
        assert answers == sorted([moved["own"], moved["guest"]])  # the answers stay
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.entity == "user"))
        assert event.user_id == admin_actor.user_id
        assert event.detail["old"] == {"role": "city_editor", "city_id": moved["tangier"]}
        assert event.detail["sessions_ended"] == 1 and event.detail["grants_ended"] == 1


def test_a_role_change_in_the_same_city_ends_sessions_and_the_grant(moved, admin_actor):
    token = saved_while_signed_in(moved, admin_actor, "city_viewer", "tangier")
    with session_scope() as s:
        assert auth.user_for_token(s, token) is None
        assert not s.get(Respondent, moved["own"]).invited
        assert s.get(User, moved["editor"]).role == "city_viewer"


def test_saving_an_unchanged_user_keeps_their_session(moved, admin_actor):
    token = saved_while_signed_in(moved, admin_actor, "city_editor", "tangier")
    with session_scope() as s:
        assert auth.user_for_token(s, token) is not None and s.get(Respondent, moved["own"]).invited


def test_an_admin_cannot_demote_themself(admin_actor):
    with session_scope() as s:
        with pytest.raises(svc.Invalid, match="admin.error.self"):
            admin.update_user(s, admin_actor, admin_actor.user_id, "network_staff", None)
    with session_scope() as s:
        assert s.get(User, admin_actor.user_id).role == "admin"


# --------------------------------------------------------------------------- the audit log


def test_audit_page_pages_and_filters(user_id, admin_actor):
    sign_in(EMAIL, "wrong", address=ATTACKER)
    sign_in(EMAIL, PW, address=OWNER)
    sign_in("admin@scn.org", "admin password 1")
    with session_scope() as s:
        rows, total = admin.audit_page(s, admin_actor, per_page=2)
        everything = admin.audit_log(s, admin_actor)
        assert len(rows) == 2 and total == len(everything) and rows == everything[:2]
        page2, _ = admin.audit_page(s, admin_actor, page=2, per_page=2)
        assert page2 == everything[2:4]
        sign_ins, n = admin.audit_page(s, admin_actor, action="sign_in")
        assert n == 2 and {r["who"] for r in sign_ins} == {EMAIL, "admin@scn.org"}
        mine, n = admin.audit_page(s, admin_actor, who="TETOUAN", entity="user")
        assert n == 2 and {r["action"] for r in mine} == {"sign_in", "sign_in_failed"}
        assert admin.audit_page(s, admin_actor, who="%")[1] == 0  # a wildcard is a character
        with pytest.raises(svc.Refused):
            admin.audit_page(s, svc.actor_of(s.get(User, user_id)))
