"""Each task done today's way and the new way, in the browser, by labels and roles.

Every way starts where a person would start it: opening the form (one click on a link or a
menu, one page load) and ends on the page the last save leads to. A way that goes wrong raises,
so a broken page is never reported as a quick one.
"""

import re
from collections.abc import Callable

from bench.tasks_driver import CountingPage, Tally
from bench.tasks_setup import TaskWorld


class WayGone(Exception):
    """Today's way cannot be done any more: the app no longer offers it."""


class NotBuilt(Exception):
    """The new way is not in the app yet (its page lacks the field it needs)."""


Way = Callable[[CountingPage, TaskWorld], Tally]
EXIT_SCORE, IMPACT = "14", "+1 better"
INSET = ("INSET: trauma-informed practice", "6")
KIND_ACT = "Helped a new pupil find their way to lessons."
MENTORING_NOTE = "Talked through the week; planned how to ask for help in maths."


def _saw(driver: CountingPage, text: str) -> None:
    """The page says `text` (the save worked), or the way fails."""
    driver.page.get_by_text(text, exact=False).first.wait_for(state="visible")


def _detail(world: TaskWorld) -> str:
    return f"/interventions/{world.intervention_id}"


# 1. Log a group session for six pupils ---------------------------------------------------------


def session_today(driver: CountingPage, world: TaskWorld) -> Tally:
    """Each pupil's outcome form in turn, their typed 'sessions attended' one higher."""
    page = driver.page
    with driver.tally() as tally:
        driver.open(_detail(world))
        for name in world.group_names:
            driver.click(page.get_by_role("link", name=f"Outcome for {name}"))
            attended = page.get_by_label("Sessions attended")
            if attended.count() == 0:
                raise WayGone("the outcome form no longer takes a typed attendance count")
            before = attended.input_value()
            driver.type(attended, str(int(before or 0) + 1))
            driver.click(page.get_by_role("button", name="Save outcome"))
            _saw(driver, "Outcome saved.")
    return tally


def session_new(driver: CountingPage, world: TaskWorld) -> Tally:
    """The register: the date is today, everyone is present; type the minutes and save."""
    page = driver.page
    with driver.tally() as tally:
        driver.open(f"{_detail(world)}/sessions/new")
        driver.type(page.get_by_label("Length (minutes)"), "30")
        driver.click(page.get_by_role("button", name="Save session"))
        _saw(driver, "Session saved.")
    return tally


# 2. Record outcomes for six pupils -------------------------------------------------------------


def outcomes_today(driver: CountingPage, world: TaskWorld) -> Tally:
    page = driver.page
    with driver.tally() as tally:
        driver.open(_detail(world))
        for name in world.group_names:
            driver.click(page.get_by_role("link", name=f"Outcome for {name}"))
            driver.type(page.get_by_label("Exit score"), EXIT_SCORE)
            driver.choose(page.get_by_label("Impact"), IMPACT)
            driver.click(page.get_by_role("button", name="Save outcome"))
            _saw(driver, "Outcome saved.")
    return tally


def outcomes_new(driver: CountingPage, world: TaskWorld) -> Tally:
    page = driver.page
    with driver.tally() as tally:
        driver.open(f"{_detail(world)}/outcomes")
        for name in world.group_names:
            driver.type(page.get_by_label(f"Exit score for {name}"), EXIT_SCORE)
            driver.choose(page.get_by_label(f"Impact for {name}"), IMPACT)
        driver.click(page.get_by_role("button", name="Save outcomes"))
        _saw(driver, "saved")
    return tally


# 3. Log an INSET day for forty staff -----------------------------------------------------------


def _inset_details(driver: CountingPage) -> None:
    activity, hours = INSET
    driver.type(driver.page.get_by_label("Activity"), activity)
    driver.type(driver.page.get_by_label("Hours"), hours)


def inset_today(driver: CountingPage, world: TaskWorld) -> Tally:
    """One CPD record per person: the date is already today, as the form opens."""
    page = driver.page
    with driver.tally() as tally:
        for name in world.staff_names:
            driver.open("/learning/new")
            driver.choose(page.get_by_label("Member of staff"), name)
            _inset_details(driver)
            driver.click(page.get_by_role("button", name="Save", exact=True))
            _saw(driver, "Professional learning recorded.")
    return tally


def inset_new(driver: CountingPage, world: TaskWorld) -> Tally:
    """One form, the forty ticked."""
    page = driver.page
    with driver.tally() as tally:
        driver.open("/learning/new-for-staff")
        staff = page.get_by_role("group", name="Staff who took part")
        for name in world.staff_names:
            driver.tick(staff.get_by_label(name, exact=True))
        _inset_details(driver)
        driver.click(page.get_by_role("button", name="Save for everyone chosen"))
        _saw(driver, f"recorded for {len(world.staff_names)} staff")
    return tally


def inset_everyone(driver: CountingPage, world: TaskWorld) -> Tally:
    """One form, 'Everyone at this school' (every active member of staff, not just forty)."""
    page = driver.page
    with driver.tally() as tally:
        driver.open("/learning/new-for-staff")
        driver.tick(page.get_by_label("Everyone at this school"))
        _inset_details(driver)
        driver.click(page.get_by_role("button", name="Save for everyone chosen"))
        _saw(driver, "Professional learning recorded for")
    return tally


# 4. Record a class's kindness -----------------------------------------------------------------


def kindness_today(driver: CountingPage, world: TaskWorld) -> Tally:
    """One moment per pupil of the class, each picked from the school's whole roll."""
    page = driver.page
    with driver.tally() as tally:
        for label in world.class_labels:
            driver.open("/kindness/new")
            driver.choose(page.get_by_label("The pupil who was kind"), label)
            driver.type(page.get_by_label("What happened"), KIND_ACT)
            driver.tick(page.get_by_label("Friendship"))
            driver.click(page.get_by_role("button", name="Save kindness moment"))
            _saw(driver, "Kindness moment recorded.")
    return tally


def kindness_new(driver: CountingPage, world: TaskWorld) -> Tally:
    """One moment, given by the whole registration group."""
    page = driver.page
    with driver.tally() as tally:
        driver.open("/kindness/new")
        group = page.get_by_label(re.compile("registration group", re.IGNORECASE))
        if group.count() == 0:
            raise NotBuilt("the kindness form offers no registration group")
        labels = group.evaluate("s => Array.from(s.options, o => o.text.trim())")
        driver.choose(group, next(x for x in labels if x.split()[0] == world.class_group))
        driver.type(page.get_by_label("What happened"), KIND_ACT)
        driver.tick(page.get_by_label("Friendship"))
        driver.click(page.get_by_role("button", name="Save kindness moment"))
        _saw(driver, "Kindness moment recorded.")
    return tally


# 5. Log a mentoring session --------------------------------------------------------------------


def mentoring_session(driver: CountingPage, world: TaskWorld) -> Tally:
    """The session form (unchanged by issue 13 but for corrections): minutes and what we did;
    the date is today as it opens."""
    page = driver.page
    with driver.tally() as tally:
        driver.open(f"/mentoring/{world.pairing_id}/sessions/new")
        driver.type(page.get_by_label("Length in minutes"), "20")
        driver.type(page.get_by_label("What we did"), MENTORING_NOTE)
        driver.click(page.get_by_role("button", name="Save session"))
        _saw(driver, "Session logged.")
    return tally


# 6. Find a pupil by three letters --------------------------------------------------------------


def find_today(driver: CountingPage, world: TaskWorld) -> Tally:
    """The pupils list: type three letters, search, and read the name in the results."""
    page = driver.page
    with driver.tally() as tally:
        driver.open("/pupils/")
        driver.type(page.get_by_label("Name or UPN"), world.find_letters)
        driver.click(page.get_by_role("button", name="Search", exact=True))
        listed = world.find_label.rsplit(" (", 1)[0]  # the list shows "Surname, Forename"
        page.get_by_role("link", name=listed, exact=True).first.wait_for()
    return tally


def find_new(driver: CountingPage, world: TaskWorld) -> Tally:
    """The mentee picker on a new pairing: three letters, arrow down to the name, Enter."""
    page = driver.page
    with driver.tally() as tally:
        driver.open("/mentoring/new")
        # A plain <select> is a combobox too; the type-ahead picker is a text input.
        picker = page.get_by_role("combobox", name=re.compile("Mentee")).and_(page.locator("input"))
        if picker.count() == 0:
            raise NotBuilt("the mentee field is not a type-ahead picker")
        driver.type_slowly(picker, world.find_letters)
        wanted = page.get_by_role("option", name=re.compile(re.escape(world.find_name)))
        wanted.first.wait_for()
        names = page.get_by_role("option").all_inner_texts()
        position = next(i for i, name in enumerate(names) if world.find_name in name)
        driver.press(picker, "ArrowDown", position + 1)
        driver.press(picker, "Enter")
        if world.find_name not in picker.input_value():
            raise RuntimeError("the picker did not take the pupil")
    return tally
