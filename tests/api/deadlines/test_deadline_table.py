"""Dated deadline cases through GET /deadlines, each with the law that decides it.

Every expected date was worked out by hand from the cited text and a printed calendar
(weekdays noted), not produced by the engine. `readings` is (earliest, latest) where the
law is unsettled; the deadline is then the earliest.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest


class Row(NamedTuple):
    trigger: str
    days: int
    expected: str
    cite: str
    district: str | None = None
    direction: str = "after"
    readings: tuple[str, str] | None = None
    service: str = "electronic"
    state: str | None = None


F6103 = "5 U.S.C. 6103(a)-(b); FRCP 6(a)(6)(A)"
EO = "FRCP 6(a)(6)(B)"
CCP135 = "Cal. Gov. Code 6700; Cal. Code Civ. Proc. 135; FRCP 6(a)(6)(C)"
GCL24 = "N.Y. Gen. Constr. Law 24; FRCP 6(a)(6)(C)"
MD111 = "Md. Code, Gen. Prov. 1-111; FRCP 6(a)(6)(C)"
VA3300 = "Va. Code 2.2-3300; FRCP 6(a)(6)(C)"
DC = "D.C. Code 1-612.02, 28-2701; FRCP 6(a)(6)(C)"
MA = "Mass. Gen. Laws ch. 4, 7, cl. 18; ch. 6, 12J-12K; FRCP 6(a)(6)(C)"
TX = "Tex. Gov't Code 662.003; FRCP 6(a)(6)(C)"
INAUG = "5 U.S.C. 6103(c); FRCP 6(a)(6)(A)"

TABLE: dict[str, Row] = {
    # --- federal holidays and counting -------------------------------------------------
    "plain 14 days, Mon to Mon": Row("2025-06-02", 14, "2025-06-16", "FRCP 6(a)(1)"),
    "MLK Day 2026 (Mon 01-19)": Row("2026-01-05", 14, "2026-01-20", F6103),
    "New Year's Day 2026 (Thu)": Row("2025-12-18", 14, "2026-01-02", F6103),
    "Juneteenth 2026 (Fri) then weekend": Row("2026-06-05", 14, "2026-06-22", F6103),
    "July 4 2026 (Sat) observed Fri 07-03": Row("2026-06-19", 14, "2026-07-06", F6103),
    "New Year's 2028 (Sat) observed Fri 2027-12-31": Row("2027-12-17", 14, "2028-01-03", F6103),
    "Veterans Day 2028 (Sat) observed Fri 11-10": Row("2028-10-27", 14, "2028-11-13", F6103),
    "Memorial Day 2026 (Mon 05-25)": Row("2026-05-11", 14, "2026-05-26", F6103),
    "Labor Day 2026 backward (Mon 09-07 -> Fri 09-04)": Row(
        "2026-09-21", 14, "2026-09-04", F6103 + "; FRCP 6(a)(5)", direction="before"),
    "Thanksgiving backward with a CA court (Thu 11-26 -> Wed)": Row(
        "2026-12-10", 14, "2026-11-25", F6103, district="cand", direction="before"),
    # --- executive-order closures ------------------------------------------------------
    "Carter day of mourning 2025-01-09 (EO 14133)": Row("2024-12-26", 14, "2025-01-10", EO),
    "Carter day of mourning backward": Row("2025-01-23", 14, "2025-01-08", EO,
                                           direction="before"),
    "Carter day of mourning in a CA room": Row("2024-12-26", 14, "2025-01-10", EO,
                                               district="cand"),
    "Christmas Eve 2019 (EO 13900)": Row("2019-12-10", 14, "2019-12-26", EO),
    "G. H. W. Bush day of mourning 2018-12-05 (EO 13852)": Row("2018-11-21", 14, "2018-12-06",
                                                                 EO),
    "Day after Christmas 2014 (EO 13682), then weekend": Row("2014-12-12", 14, "2014-12-29", EO),
    "Reagan day of mourning 2004-06-11 (EO 13340)": Row("2004-05-28", 14, "2004-06-14", EO),
    "Ford day of mourning 2007-01-02 (EO 13420)": Row("2006-12-19", 14, "2007-01-03", EO),
    "Christmas Eve 2020 (order of Dec 11, 2020)": Row("2020-12-10", 14, "2020-12-28", EO),
    "December 24 and 26, 2025 (EO of 2025-12-18)": Row("2025-12-10", 14, "2025-12-29", EO),
    "December 24 and 26, 2025 backward": Row("2026-01-09", 14, "2025-12-23", EO,
                                             direction="before"),
    # --- Inauguration Day, 5 U.S.C. 6103(c) ------------------------------------------
    "Inauguration Day 2033 in D.D.C.": Row("2033-01-06", 14, "2033-01-21", INAUG,
                                           district="dcd"),
    "Inauguration Day 2033 in D.D.C., backward": Row("2033-02-03", 14, "2033-01-19", INAUG,
                                                     district="dcd", direction="before"),
    "Inauguration Day 2033 with no court": Row("2033-01-06", 14, "2033-01-20", INAUG),
    "Inauguration Day 2033, D. Md. (only two counties)": Row(
        "2033-01-06", 14, "2033-01-20", INAUG, district="mdd",
        readings=("2033-01-20", "2033-01-21")),
    "Inauguration Day 2033, D. Md. backward": Row(
        "2033-02-03", 14, "2033-01-19", INAUG, district="mdd", direction="before",
        readings=("2033-01-19", "2033-01-20")),
    "Inauguration Day 2033, E.D. Va. (only some counties)": Row(
        "2033-01-06", 14, "2033-01-20", INAUG, district="vaed",
        readings=("2033-01-20", "2033-01-21")),
    "Inauguration Day 2033, W.D. Va.: not a holiday": Row("2033-01-06", 14, "2033-01-20", INAUG,
                                                         district="vawd"),
    "Inauguration Day 2033, state=VA only: not statewide": Row(
        "2033-01-06", 14, "2033-01-20", INAUG, state="VA"),
    # --- California (Gov. Code 6700, CCP 135) -------------------------------------------
    "CA Lincoln Day 2026 (Thu 02-12)": Row("2026-01-29", 14, "2026-02-13", CCP135,
                                           district="cand"),
    "CA Lincoln Day 2023 on Sunday -> Mon 02-13 (Gov. Code 6701)": Row(
        "2023-01-30", 14, "2023-02-14", CCP135 + "; Cal. Gov. Code 6701", district="cand"),
    "CA Lincoln Day 2028 on Saturday: Friday unsettled": Row(
        "2028-01-28", 14, "2028-02-11", CCP135, district="casd",
        readings=("2028-02-11", "2028-02-14")),
    "CA Susan B. Anthony Day 2028 (Tue 02-15) is no holiday": Row(
        "2028-02-01", 14, "2028-02-15", "Cal. Gov. Code 6700", district="cand"),
    "CA Cesar Chavez Day 2027 (Wed 03-31)": Row("2027-03-17", 14, "2027-04-01", CCP135,
                                                district="cacd"),
    "CA Cesar Chavez Day ignored backward": Row("2027-04-14", 14, "2027-03-31",
                                                "FRCP 6(a)(6)(C)", district="cacd",
                                                direction="before"),
    "CA Native American Day 2026 (4th Fri, 09-25)": Row(
        "2026-09-11", 14, "2026-09-28", CCP135 + " (AB 855, 2021)", district="caed"),
    "CA Native American Day 2020: not yet a judicial holiday": Row(
        "2020-09-11", 14, "2020-09-25", "Cal. Code Civ. Proc. 135 before AB 855",
        district="caed", readings=("2020-09-25", "2020-09-28")),
    "CA Diwali 2027 (Fri 10-29) is not a judicial holiday": Row(
        "2027-10-15", 14, "2027-10-29", "AB 268 (2025)", district="cand",
        readings=("2027-10-29", "2027-11-01")),
    "CA Diwali 2028 (Tue 10-17)": Row("2028-10-03", 14, "2028-10-17", "AB 268 (2025)",
                                      district="cand", readings=("2028-10-17", "2028-10-18")),
    "CA Admission Day 2026 (Wed 09-09) excluded by CCP 135": Row(
        "2026-08-26", 14, "2026-09-09", CCP135, district="cand",
        readings=("2026-09-09", "2026-09-10")),
    "CA Genocide Remembrance Day 2026 (Fri 04-24)": Row(
        "2026-04-10", 14, "2026-04-24", CCP135, district="cand",
        readings=("2026-04-24", "2026-04-27")),
    "CA Lunar New Year 2026 (Tue 02-17)": Row("2026-02-03", 14, "2026-02-17", CCP135,
                                              district="cand",
                                              readings=("2026-02-17", "2026-02-18")),
    "CA day after Thanksgiving 2026": Row("2026-11-13", 14, "2026-11-30",
                                          "Cal. Code Civ. Proc. 135", district="cand"),
    "CA election day is no holiday": Row("2026-10-20", 14, "2026-11-03", "Cal. Gov. Code 6700",
                                         district="cand"),
    "CA mail: Cesar Chavez roll, then +3 onto Saturday": Row(
        "2026-03-17", 14, "2026-04-06", CCP135 + "; FRCP 6(d)", district="cand",
        service="mail"),
    "CA via state= (legacy) Lincoln Day": Row("2026-01-29", 14, "2026-02-13", CCP135,
                                              state="CA"),
    # --- New York (Gen. Constr. Law 24) -----------------------------------------------
    "NY Lincoln's Birthday 2026 (Thu)": Row("2026-01-29", 14, "2026-02-13", GCL24,
                                            district="nysd"),
    "NY Lincoln's Birthday 2028 on Saturday is not moved to Friday": Row(
        "2028-01-28", 14, "2028-02-11", GCL24, district="nysd"),
    "NY Lincoln's Birthday 2023 on Sunday -> Monday": Row("2023-01-30", 14, "2023-02-14", GCL24,
                                                         district="nyed"),
    "NY Susan B. Anthony Day 2028 is no holiday (Exec. Law 168-a(2))": Row(
        "2028-02-01", 14, "2028-02-15", "N.Y. Exec. Law 168-a(2)", district="nysd"),
    "NY Election Day 2026 (Tue 11-03)": Row("2026-10-20", 14, "2026-11-04", GCL24,
                                            district="nynd"),
    "NY Election Day 2027 (Tue 11-02)": Row("2027-10-19", 14, "2027-11-03", GCL24,
                                            district="nywd"),
    "NY Election Day ignored backward": Row("2026-11-17", 14, "2026-11-03", "FRCP 6(a)(6)(C)",
                                            district="nysd", direction="before"),
    "NY day after Thanksgiving is no holiday": Row("2026-11-13", 14, "2026-11-27", GCL24,
                                                   district="nysd"),
    # --- Maryland (Gen. Prov. 1-111) --------------------------------------------------
    "MD American Indian Heritage Day 2026": Row("2026-11-13", 14, "2026-11-30", MD111,
                                                district="mdd"),
    "MD general election day 2026": Row("2026-10-20", 14, "2026-11-04", MD111, district="mdd"),
    "MD no statewide election in 2027": Row("2027-10-19", 14, "2027-11-02", MD111,
                                            district="mdd"),
    "MD Maryland Day 2026: courts stay open": Row("2026-03-11", 14, "2026-03-25", MD111,
                                                  district="mdd",
                                                  readings=("2026-03-25", "2026-03-26")),
    "MD Good Friday 2026: courts stay open": Row("2026-03-20", 14, "2026-04-03", MD111,
                                                 district="mdd",
                                                 readings=("2026-04-03", "2026-04-06")),
    "MD Defenders' Day 2025: courts stay open": Row("2025-08-29", 14, "2025-09-12", MD111,
                                                    district="mdd",
                                                    readings=("2025-09-12", "2025-09-15")),
    # --- Virginia (Va. Code 2.2-3300) -------------------------------------------------
    "VA Election Day 2025 (every year)": Row("2025-10-21", 14, "2025-11-05", VA3300,
                                             district="vaed"),
    "VA Lee-Jackson Day 2019, then MLK Day": Row("2019-01-04", 14, "2019-01-22", VA3300,
                                                 district="vaed"),
    "VA Lee-Jackson Day repealed by 2021": Row("2021-01-01", 14, "2021-01-15", VA3300,
                                               district="vaed"),
    "VA day after Thanksgiving 2026": Row("2026-11-13", 14, "2026-11-30", VA3300,
                                          district="vawd"),
    # --- District of Columbia ---------------------------------------------------------
    "DC Emancipation Day 2026 (Thu 04-16)": Row("2026-04-02", 14, "2026-04-17", DC,
                                                district="dcd"),
    "DC Emancipation Day 2028 on Sunday -> Monday": Row("2028-04-03", 14, "2028-04-18", DC,
                                                        district="dcd"),
    "DC Emancipation Day 2022 on Saturday -> Friday": Row("2022-04-01", 14, "2022-04-18", DC,
                                                          district="dcd"),
    "DC Emancipation Day ignored backward": Row("2026-04-30", 14, "2026-04-16",
                                                "FRCP 6(a)(6)(C)", district="dcd",
                                                direction="before"),
    # --- Massachusetts ----------------------------------------------------------------
    "MA Patriots' Day 2026 (Mon 04-20)": Row("2026-04-06", 14, "2026-04-21", MA,
                                             district="mad"),
    "MA Evacuation Day 2026: Suffolk County only": Row("2026-03-03", 14, "2026-03-17", MA,
                                                       district="mad",
                                                       readings=("2026-03-17", "2026-03-18")),
    "MA Bunker Hill Day 2026: Suffolk County only": Row("2026-06-03", 14, "2026-06-17", MA,
                                                        district="mad",
                                                        readings=("2026-06-17", "2026-06-18")),
    # --- Texas ------------------------------------------------------------------------
    "TX Christmas Eve 2026 then Christmas and weekend": Row("2026-12-10", 14, "2026-12-28", TX,
                                                            district="txsd"),
    "TX December 26, 2024": Row("2024-12-12", 14, "2024-12-27", TX, district="txsd"),
    "TX Confederate Heroes Day 2027: offices open": Row("2027-01-05", 14, "2027-01-19", TX,
                                                        district="txnd",
                                                        readings=("2027-01-19", "2027-01-20")),
    "TX San Jacinto Day 2026: offices open": Row("2026-04-07", 14, "2026-04-21", TX,
                                                 district="txsd",
                                                 readings=("2026-04-21", "2026-04-22")),
    # --- a territory (FRCP 81(d)(1)) -----------------------------------------------------
    "MP: an ordinary Thursday, no territorial holiday": Row(
        "2026-01-29", 14, "2026-02-12", "FRCP 6(a)(6)(C), 81(d)(1); CNMI P.L. 15-4",
        district="nmid"),
}


def _params(row: Row) -> dict[str, object]:
    params: dict[str, object] = {"trigger": row.trigger, "days": row.days,
                                 "direction": row.direction, "service_method": row.service}
    if row.district:
        params["district"] = row.district
    if row.state:
        params["state"] = row.state
    return params


def test_table_is_large_and_cited():
    assert len(TABLE) >= 60
    assert all(row.cite for row in TABLE.values())


@pytest.fixture
def caller(api):
    # Any signed-in account may compute: the template's outsider, made before the test.
    return api.room().users["outsider"]


@pytest.mark.parametrize("row", TABLE.values(), ids=list(TABLE))
def test_deadline_over_http(api, caller, row: Row):
    r = api.client.get("/api/v1/deadlines", params=_params(row), headers=caller.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["deadline"] == row.expected
    if row.readings is None:
        assert body["readings"] is None
    else:
        assert (body["readings"]["earliest"], body["readings"]["latest"]) == row.readings
        assert body["deadline"] == body["readings"]["earliest"] and body["readings"]["why"]
    assert body["explanation"][-1].startswith(f"The last day is {row.expected} ")
