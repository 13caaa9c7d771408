"""Steps shared by the browser journeys."""


def login(context, live_server, username, password):
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    return page


def choose_autocomplete(page, field, text):
    """Pick `text` in one of the admin's select2 autocomplete widgets."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")
