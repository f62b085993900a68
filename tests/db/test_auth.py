"""Sign-in, the delay after five failures, and session expiry."""

from datetime import timedelta

from nlc_toolkit.db import repo
from nlc_toolkit.db.models import utcnow
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import accounts as auth
from tests import factories

PASSWORD = "correct horse battery"


def make_user(**kw):
    with session_scope() as s:
        tetouan = factories.city(s, "Tetouan", population_band="100k_500k")
        return factories.user(s, "ed@tetouan.example.org", "city_editor", tetouan, password=PASSWORD, **kw).id


def test_sign_in_and_out(migrated):
    make_user()
    with session_scope() as s:
        result = auth.sign_in(s, " Ed@Tetouan.example.org ", PASSWORD)
        assert result.error == "" and result.token
        token = result.token
    with session_scope() as s:
        assert auth.user_for_token(s, token).email == "ed@tetouan.example.org"
        auth.sign_out(s, token)
    with session_scope() as s:
        assert auth.user_for_token(s, token) is None


def test_signing_out_with_a_junk_cookie_ends_nothing_and_raises_nothing(migrated):
    """The cookie is the client's: a number, a dict, None or a huge string signs nobody out."""
    make_user()
    with session_scope() as s:
        token = auth.sign_in(s, "ed@tetouan.example.org", PASSWORD).token
    for junk in (42, {"token": token}, [token], None, "", token * 100, True):
        with session_scope() as s:
            auth.sign_out(s, junk)
    with session_scope() as s:
        assert auth.user_for_token(s, token).email == "ed@tetouan.example.org"


def test_wrong_password_and_unknown_email_look_the_same(migrated):
    make_user()
    with session_scope() as s:
        assert auth.sign_in(s, "ed@tetouan.example.org", "nope").error == "auth.error.invalid"
        assert auth.sign_in(s, "nobody@example.org", "nope").error == "auth.error.invalid"


def test_failures_meet_a_short_delay_not_a_lock(migrated):
    make_user()
    now = utcnow()
    with session_scope() as s:
        errors = [auth.sign_in(s, "ed@tetouan.example.org", "wrong", now=now).error for _ in range(5)]
    assert errors == ["auth.error.invalid"] * 5
    with session_scope() as s:
        # even the right password is not checked during the delay
        held = auth.sign_in(s, "ed@tetouan.example.org", PASSWORD, now=now)
        assert held.error == "auth.error.throttled" and held.wait_seconds == 1
        assert auth.sign_in(s, "ed@tetouan.example.org", PASSWORD, now=now + timedelta(seconds=1)).token


def test_sessions_expire_when_idle_and_after_max_age(migrated):
    make_user()
    now = utcnow()
    with session_scope() as s:
        token = auth.sign_in(s, "ed@tetouan.example.org", PASSWORD, now=now).token
    with session_scope() as s:
        assert auth.user_for_token(s, token, now + timedelta(hours=1, minutes=59))
    with session_scope() as s:
        assert auth.user_for_token(s, token, now + timedelta(hours=3, minutes=58))  # active 1h59 ago
    with session_scope() as s:
        assert auth.user_for_token(s, token, now + timedelta(hours=12)) is None  # absolute limit


def test_deactivated_user_cannot_sign_in(migrated):
    user_id = make_user()
    with session_scope() as s:
        token = auth.sign_in(s, "ed@tetouan.example.org", PASSWORD).token
        s.get(repo.User, user_id).active = False
    with session_scope() as s:
        assert auth.user_for_token(s, token) is None
        assert auth.sign_in(s, "ed@tetouan.example.org", PASSWORD).error == "auth.error.inactive"


def test_passwords_are_hashed_on_one_lane_and_older_hashes_are_replaced_at_sign_in(migrated):
    """argon2 with one lane leaves the other core to the event loop; a hash made with the
    library's default four lanes still signs in, and is replaced by a one-lane hash then."""
    from argon2 import PasswordHasher

    from nlc_toolkit.core.security import hash_password
    from nlc_toolkit.db.models import User

    assert ",p=1$" in hash_password("a password of mine")
    user_id = make_user()
    with session_scope() as s:
        s.get(User, user_id).password_hash = PasswordHasher(parallelism=4).hash(PASSWORD)
    with session_scope() as s:
        assert auth.sign_in(s, "ed@tetouan.example.org", PASSWORD).token
    with session_scope() as s:
        stored = s.get(User, user_id).password_hash
    assert ",p=1$" in stored
    with session_scope() as s:
        assert auth.sign_in(s, "ed@tetouan.example.org", PASSWORD).token


def test_a_followed_dashboard_is_read_only_for_a_session_that_may_act(migrated):
    """The dashboard's live re-read (services/builds.followed_report) runs outside the tab's
    state, on the cookie the tab sent: it applies the same rule as every event. No session, a
    junk cookie, or a one-time password (which may only be changed) reads nothing."""
    from nlc_toolkit.services.builds import followed_report

    with session_scope() as s:
        tetouan = factories.city(s, "Tetouan", population_band="100k_500k")
        version = factories.questionnaire(s)
        editor = factories.user(s, "ed@tetouan.example.org", "city_editor", tetouan, password=PASSWORD)
        factories.user(s, "new@tetouan.example.org", "city_editor", tetouan, password=PASSWORD, one_time=True)
        assessment_id = factories.assessment(s, editor, tetouan, version).id
    with session_scope() as s:
        token = auth.sign_in(s, "ed@tetouan.example.org", PASSWORD).token
        one_time = auth.sign_in(s, "new@tetouan.example.org", PASSWORD)
    assert one_time.must_change_password and one_time.token
    report = followed_report(token, assessment_id)
    assert report is not None and report["id"] == assessment_id and report["city"] == "Tetouan"
    for cookie in (one_time.token, "", "not a session", 42, None, token * 100):
        assert followed_report(cookie, assessment_id) is None, cookie
