"""Who the ladder tells (engine/deadlines/recipients.py), rung by rung: the step's
holder, then the heads of the task's lead units, then its directing leader or, with
none, every leader; each once, however often the clock sweeps."""
from __future__ import annotations

from datetime import date

from engine import model
from engine.tasks import steps
from tests.support.deadlines import DUE, assign, notice_rows, sweep_at
from tests.support.office import CBTH, KSTTHC, TTPV

HOLDER_DAY, UNIT_HEAD_DAY, DIRECTOR_DAY = date(2024, 3, 26), date(2024, 4, 1), date(2024, 4, 5)


def told(office, rung):
    names = {user_id: username for username, user_id in office.users.items()}
    return sorted(names.get(row["recipient_user_id"], row["recipient_user_id"])
                  for row in notice_rows(office, rung=rung))


def add_person(office, username, unit, role):
    with office.uow() as uow:
        user = model.User(username=username, full_name=username, unit_id=office.units[unit], role=role,
                          password_hash="-", email=f"{username}@example.vn")
        uow.users.add(user)
        uow.commit()
    office.users[username] = user.id
    return user.id


def test_each_rung_tells_its_people_once(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE, "director": "chanhvp"}])
    assign(office, plan_id, clock.on(date(2024, 1, 16)))
    for day, rung, people in [(HOLDER_DAY, "holder", ["cv.kstthc"]), (UNIT_HEAD_DAY, "unit_head", ["truong.kstthc"]),
                              (DIRECTOR_DAY, "director", ["chanhvp"])]:
        assert sweep_at(office, clock, day).notices == 1, rung
        assert sweep_at(office, clock, day, hour=15).notices == 0, rung  # a second sweep: nobody twice
        assert told(office, rung) == people


def test_a_late_opinion_reminds_the_coordinating_head_and_tells_the_heads_of_every_lead_unit(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC, CBTH], "coordinators": [TTPV], "due": DUE}])
    assign(office, plan_id, clock.on(date(2024, 1, 16)))
    sweep_at(office, clock, DIRECTOR_DAY)  # long past: every rung of the opinion step at once
    assert told(office, "holder") == ["giamdoc.ttpv"]
    assert told(office, "unit_head") == ["giamdoc.cbth", "truong.kstthc"]


def test_a_step_waiting_for_a_unit_s_role_reminds_everyone_with_that_role_in_the_unit(office, clock):
    add_person(office, "pho.kstthc", KSTTHC, "unit_head")
    add_person(office, "cu.kstthc", KSTTHC, "staff")
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])  # not assigned: the assign step is late
    sweep_at(office, clock, HOLDER_DAY)
    assert told(office, "holder") == ["pho.kstthc", "truong.kstthc"]


def test_without_a_director_or_with_one_who_left_every_leader_is_told(office, clock):
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    gone = add_person(office, "pgd.cu", "Phòng Tổng hợp", "leader")
    with office.uow() as uow:
        uow.users.get(gone).active = False
        uow.commit()
    office.plan([{"ref": "2", "lead": [KSTTHC], "due": DUE, "director": "pgd.cu"}])
    sweep_at(office, clock, DIRECTOR_DAY)
    assert told(office, "director") == ["chanhvp", "chanhvp", "phochanhvp", "phochanhvp"]


def test_a_person_without_an_e_mail_is_told_in_the_app_only(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    with office.uow() as uow:
        uow.users.get(office.users["cv.kstthc"]).email = None
        uow.commit()
    assign(office, plan_id, clock.on(date(2024, 1, 16)))
    sweep_at(office, clock, HOLDER_DAY)
    [row] = notice_rows(office, rung="holder")
    assert (row["recipient_user_id"], row["email_to"], row["email_state"]) == (office.users["cv.kstthc"], None, "none")


def test_a_step_taken_from_the_unit_s_role_reminds_only_the_one_who_took_it(office, clock):
    add_person(office, "pho.kstthc", KSTTHC, "unit_head")
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    [item] = office.ready(plan_id)
    steps.claim(office.uow(), item.id, office.users["pho.kstthc"], clock=clock)
    sweep_at(office, clock, HOLDER_DAY)
    assert told(office, "holder") == ["pho.kstthc"]
