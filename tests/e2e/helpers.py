"""What a person does in the browser, as small steps shared by the e2e tests."""

from playwright.sync_api import Page, expect

PASSWORD = "e2e-password-1"


def new_user(app, email: str, role: str, city: str | None = None) -> None:
    """An account made as an operator would, with `nlc create-user` (its password is its own)."""
    app.nlc("create-user", "--email", email, "--password", PASSWORD, "--role", role, *(["--city", city] if city else []))


def sign_in(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(url + "/login")
    expect(page.locator("#login-submit")).to_be_enabled()  # on_load ran: the form is live
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("#login-submit").click()
    expect(page.locator("#signed-in-as")).to_be_visible()


def replace_one_time_password(page: Page, one_time: str, new: str) -> None:
    """After signing in with a one-time password: the account page asks for a password of one's own."""
    page.wait_for_url("**/account")
    expect(page.locator("#change-password")).to_be_enabled()
    page.get_by_label("Current password").fill(one_time)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again").fill(new)
    page.locator("#change-password").click()
    expect(page.locator("#first-password")).to_have_count(0)


def sign_out(page: Page) -> None:
    page.locator("#sign-out").click()
    expect(page.locator("#sign-in-link")).to_be_visible()


def open_assessment(page: Page, url: str, assessment_id: int) -> None:
    page.goto(f"{url}/assessments/{assessment_id}")
    expect(page.locator("#assessment-city, #not-found")).to_be_visible()


def question(page: Page, qid: str):
    return page.locator(f"[id='q-{qid}']")


def choose_level(page: Page, qid: str, level: str) -> None:
    card = question(page, qid)
    card.locator(f"[data-level='{level}']").click()
    expect(card.locator(f"[data-level='{level}']")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#assessment-message")).to_have_attribute("role", "status")


def write_note(page: Page, qid: str, text: str) -> None:
    box = page.locator(f"[id='note-{qid}']")
    box.fill(text)
    box.blur()
    expect(page.locator("#assessment-message")).to_be_visible()


def watch_errors(page: Page) -> list[str]:
    """Collect the page's script errors (a handler that throws, an undefined var such as a form
    handler closing over a foreach var); network failures are not script errors."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text
            else None)
    return errors
