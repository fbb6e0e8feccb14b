"""Each task done today's way and the new way, in the browser, by labels and roles.

Every way starts where a person would start it: opening the form (one click on a link or a
menu, one page load) and ends on the page the last save leads to. A way that goes wrong raises,
so a broken page is never reported as a quick one.
"""

import re
from collections.abc import Callable

from bench import tasks_pickers as pickers
from bench.tasks_driver import CountingPage, Tally
from bench.tasks_setup import TaskWorld


class WayGone(Exception):
    """Today's way cannot be done any more: the app no longer offers it."""


class NotBuilt(Exception):
    """The new way is not in the app yet (its page lacks the field it needs)."""


Way = Callable[[CountingPage, TaskWorld], Tally]
EXIT_SCORE, IMPACT = "14", "+1 better"
INSET = ("INSET: trauma-informed practice", "6")
# The kindness form's pupil giver: one pupil before issue 13, several after it.
GIVER_FIELDS = ("Pupils who were kind", "The pupil who was kind")
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
            driver.select(page.get_by_label("Impact"), IMPACT)
            driver.click(page.get_by_role("button", name="Save outcome"))
            _saw(driver, "Outcome saved.")
    return tally


def outcomes_new(driver: CountingPage, world: TaskWorld) -> Tally:
    page = driver.page
    with driver.tally() as tally:
        driver.open(f"{_detail(world)}/outcomes")
        for name in world.group_names:
            driver.type(page.get_by_label(f"Exit score for {name}"), EXIT_SCORE)
            driver.select(page.get_by_label(f"Impact for {name}"), IMPACT)
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
            pickers.choose(driver, "Member of staff", name, typed=name)
            _inset_details(driver)
            driver.click(page.get_by_role("button", name="Save", exact=True))
            _saw(driver, "Professional learning recorded.")
    return tally


def inset_new(driver: CountingPage, world: TaskWorld) -> Tally:
    """One form, the forty ticked (or picked one by one, where the boxes have a picker)."""
    page = driver.page
    with driver.tally() as tally:
        driver.open("/learning/new-for-staff")
        pickers.choose_each(driver, "Staff who took part", world.staff_names)
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
        for label, name, surname in world.class_pupils:
            driver.open("/kindness/new")
            giver = next(g for g in GIVER_FIELDS if page.get_by_label(g, exact=True).count())
            typed = f"{surname} {name.split()[0]}"
            pickers.choose(driver, giver, name, typed, option=label)
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
        driver.select(group, next(x for x in labels if x.split()[0] == world.class_group))
        driver.type(page.get_by_label("What happened"), KIND_ACT)
        driver.tick(page.get_by_label("Friendship"))
        driver.click(page.get_by_role("button", name="Save kindness moment"))
        _saw(driver, "Kindness moment recorded.")
    return tally


def kindness_picked_group(driver: CountingPage, world: TaskWorld) -> Tally:
    """One moment, the class added in the givers' picker as 'Whole group …'."""
    page = driver.page
    with driver.tally() as tally:
        driver.open("/kindness/new")
        box = pickers.picker_for(page, GIVER_FIELDS[0])
        if box is None:
            raise NotBuilt("the kind pupils field has no type-ahead picker")
        pickers.pick(driver, box, f"Whole group {world.class_group} (", world.class_group)
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
        picker = pickers.picker_for(page, "Mentee (pupil)")
        if picker is None:
            raise NotBuilt("the mentee field is not a type-ahead picker")
        # Three letters of the surname; more only if the name is not suggested by then.
        pickers.pick(driver, picker, world.find_name, world.find_surname)
        if world.find_name not in picker.input_value():
            raise RuntimeError("the picker did not take the pupil")
    return tally
