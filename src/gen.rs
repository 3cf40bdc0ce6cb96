//! A deterministic workload generator: realistic governance streams for benchmarks.
//! Many groups, people joining and leaving, meetings every few weeks with agendas,
//! attendance, decisions, actions and their completion, decision status changes, minutes
//! approvals and errata to the previous meeting's minutes. Pure: the same (events, seed) gives the same batches.

use crate::event::*;
use crate::ids::{ActionId, DecisionId, GroupId, Hash, MeetingId, OrgId, PersonId, Seq};
use crate::input::NewEvent;
use crate::when::When;
use chrono::{Days, NaiveDate};
use std::collections::BTreeSet;

/// xorshift64*: small, fast and reproducible from its seed; the one generator of the
/// workload and of the tests that need replayable randomness (the crash test).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// A generator at exactly this state (never zero), to replay a run from its note.
    pub fn from_state(state: u64) -> Rng {
        Rng(state | 1)
    }

    pub fn state(&self) -> u64 {
        self.0
    }

    /// A number below `n` (0 for `n` = 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn id<T: TryFrom<String, Error = String>>(s: String) -> T {
    T::try_from(s).expect("generated ids are slugs")
}

struct Group {
    id: GroupId,
    members: Vec<(PersonId, NaiveDate)>,
    meetings: u32,
    last_meeting: Option<MeetingId>,
    next: NaiveDate,
    /// The first item minuted at the group's last meeting, and its seq.
    minuted: Option<(Seq, ItemMinuted)>,
}

/// Batches of events, about `events` in all (the last batch may go a little over),
/// that the rules accept when appended in order starting from an empty ledger.
pub fn generate(events: usize, seed: u64) -> Vec<Vec<NewEvent>> {
    let mut batches = Vec::new();
    let _ = generate_each(events, seed, |b| {
        batches.push(b);
        Ok::<(), ()>(())
    });
    batches
}

/// The same batches as [`generate`], handed to `sink` one at a time as they are made,
/// so that a million events never sit in memory at once; stops at the first error.
pub fn generate_each<E>(
    events: usize,
    seed: u64,
    mut sink: impl FnMut(Vec<NewEvent>) -> Result<(), E>,
) -> Result<(), E> {
    let mut rng = Rng::new(seed);
    let start = NaiveDate::from_ymd_opt(2015, 1, 1).expect("a date");
    let orgs = 10 + events / 2_000;
    let people = 30 + events / 40;
    let groups = 3 + events / 1_500;
    let mut count = 0;
    let mut push = |batch: Vec<NewEvent>, count: &mut usize| {
        *count += batch.len();
        sink(batch)
    };
    let ev = |date: NaiveDate, event: Event| NewEvent::new(When::Date(date), event, "gen".into());

    let mut register = Vec::new();
    for o in 0..orgs {
        register.push(ev(
            start,
            Event::OrganisationRegistered(OrganisationRegistered {
                organisation: id(format!("org-{o}")),
                name: format!("Organisation {o}"),
                short_name: None,
            }),
        ));
    }
    for p in 0..people {
        let affiliation = Some(id::<OrgId>(format!("org-{}", p % orgs)));
        register.push(ev(
            start,
            Event::PersonRegistered(PersonRegistered {
                person: id(format!("p-{p}")),
                name: format!("Person {p}"),
                title: None,
                affiliation,
            }),
        ));
    }
    let mut gs = Vec::new();
    for g in 0..groups {
        let kind = [GroupKind::Steering, GroupKind::Reference, GroupKind::Working][g % 3];
        register.push(ev(
            start,
            Event::GroupEstablished(GroupEstablished {
                group: id(format!("g-{g}")),
                name: format!("Group {g}"),
                group_kind: kind,
                parent: None,
                predecessor: None,
                mandate: None,
                decision: None,
            }),
        ));
        gs.push(Group {
            id: id(format!("g-{g}")),
            members: Vec::new(),
            meetings: 0,
            last_meeting: None,
            next: start + Days::new(rng.below(40) + 1),
            minuted: None,
        });
    }
    // The register of a large workload is more than one batch may hold.
    let mut register = register.into_iter().peekable();
    while register.peek().is_some() {
        push(register.by_ref().take(crate::input::BATCH_LEN_MAX).collect(), &mut count)?;
    }

    let mut open_actions: Vec<(ActionId, NaiveDate)> = Vec::new();
    let mut decisions: Vec<(DecisionId, NaiveDate)> = Vec::new();
    while count < events {
        // The group whose meeting comes next.
        let gi = (0..gs.len()).min_by_key(|&i| (gs[i].next, i)).expect("groups");
        let day = gs[gi].next;
        let mut b = Vec::new();
        let g = &mut gs[gi];
        // Membership: some leave, some join (never someone already in the group).
        if g.members.len() > 6 && rng.chance(30) {
            let i = rng.below(g.members.len() as u64) as usize;
            if g.members[i].1 < day {
                let (p, _) = g.members.remove(i);
                b.push(ev(
                    day,
                    Event::MemberLeft(MemberLeft {
                        person: p,
                        group: g.id.clone(),
                        decision: None,
                        note: None,
                        role: None,
                    }),
                ));
            }
        }
        let joining = if g.members.len() < 8 { 4 } else { rng.below(2) as usize };
        let present: BTreeSet<PersonId> = g.members.iter().map(|m| m.0.clone()).collect();
        for _ in 0..joining {
            let p: PersonId = id(format!("p-{}", rng.below(people as u64)));
            if !present.contains(&p)
                && !g.members.iter().any(|m| m.0 == p)
                && !b.iter().any(|e: &NewEvent| matches!(&e.event, Event::MemberLeft(l) if l.person == p))
            {
                let role = if g.members.is_empty() { Role::Chair } else { Role::Member };
                b.push(ev(
                    day,
                    Event::MemberJoined(MemberJoined {
                        person: p.clone(),
                        group: g.id.clone(),
                        role,
                        rank: None,
                        on_behalf_of: None,
                        seat: None,
                        substitute_for: None,
                        decision: None,
                        note: None,
                        additional: false,
                    }),
                ));
                g.members.push((p, day));
            }
        }
        // The meeting itself.
        g.meetings += 1;
        let meeting: MeetingId = id(format!("{}-m{}", g.id, g.meetings));
        b.push(ev(
            day,
            Event::MeetingHeld(MeetingHeld {
                meeting: meeting.clone(),
                group: g.id.clone(),
                number: Some(g.meetings),
                meeting_kind: MeetingKind::Ordinary,
                title: None,
                place: Some("Mødelokale 1".into()),
                starts_at: When::Date(day),
                ends_at: None,
            }),
        ));
        let items = 3 + rng.below(6) as u32;
        let agenda = (1..=items)
            .map(|n| AgendaItem { number: n, title: format!("Punkt {n}"), presenters: vec![], label: None })
            .collect();
        b.push(ev(day, Event::AgendaSet(AgendaSet { meeting: meeting.clone(), items: agenda })));
        let attendees = g
            .members
            .iter()
            .map(|(p, _)| Attendee {
                person: p.clone(),
                presence: if rng.chance(85) { Presence::Present } else { Presence::Apologies },
                capacity: Capacity::Member,
                on_behalf_of: None,
                in_place_of: None,
                items: vec![],
                minute_taker: false,
                except_items: vec![],
                arrived: None,
                departed: None,
            })
            .collect();
        b.push(ev(day, Event::AttendanceRecorded(AttendanceRecorded { meeting: meeting.clone(), attendees })));
        if let Some(previous) = g.last_meeting.replace(meeting.clone()) {
            let hash = Hash(*blake3::hash(previous.as_str().as_bytes()).as_bytes());
            b.push(ev(
                day,
                Event::MinutesApproved(MinutesApproved {
                    meeting: previous,
                    document_hash: hash,
                    document_name: None,
                    at_meeting: None,
                    item: None,
                    decision: None,
                    checkpoint: None,
                }),
            ));
        }
        for n in 1..=items {
            if rng.chance(40) {
                b.push(ev(
                    day,
                    Event::ItemMinuted(ItemMinuted {
                        meeting: meeting.clone(),
                        item: n,
                        text: format!("Drøftelse af punkt {n}. Sekretariatet orienterede om status og næste skridt."),
                    }),
                ));
            }
            let decision: DecisionId = id(format!("{meeting}-p{n}"));
            let outcome = Outcome::ALL[rng.below(Outcome::ALL.len() as u64) as usize];
            let conditions = if outcome == Outcome::ApprovedWithReservations {
                vec!["Med forbehold for yderligere afklaring.".to_string()]
            } else {
                vec![]
            };
            b.push(ev(
                day,
                Event::DecisionRecorded(DecisionRecorded {
                    decision: decision.clone(),
                    meeting: meeting.clone(),
                    item: n,
                    outcome,
                    text: format!("Gruppen traf beslutning om punkt {n}."),
                    conditions,
                    takes_effect: None,
                    deferred: None,
                    votes: None,
                }),
            ));
            decisions.push((decision.clone(), day));
            if rng.chance(35) {
                let action: ActionId = id(format!("{meeting}-a{n}"));
                let owner = match g.members.first() {
                    Some((p, _)) if rng.chance(50) => Party::Person(p.clone()),
                    _ => Party::Group(g.id.clone()),
                };
                b.push(ev(
                    day,
                    Event::ActionAssigned(ActionAssigned {
                        action: action.clone(),
                        meeting: meeting.clone(),
                        item: n,
                        decision: Some(decision),
                        owner,
                        description: "Følge op til næste møde".into(),
                        due: Some((day + Days::new(30 + rng.below(60))).into()),
                    }),
                ));
                open_actions.push((action, day));
            }
        }
        // Earlier actions done, earlier decisions moving on.
        for _ in 0..rng.below(3) {
            if let Some(i) = (!open_actions.is_empty()).then(|| rng.below(open_actions.len() as u64) as usize) {
                if open_actions[i].1 < day {
                    let (a, _) = open_actions.swap_remove(i);
                    b.push(ev(day, Event::ActionCompleted(ActionCompleted { action: a, note: None })));
                }
            }
        }
        if !decisions.is_empty() && rng.chance(30) {
            let (d, when) = decisions[rng.below(decisions.len() as u64) as usize].clone();
            if when < day {
                let status = [DecisionStatus::InProgress, DecisionStatus::Implemented, DecisionStatus::ConditionsMet]
                    [rng.below(3) as usize];
                b.push(ev(
                    day,
                    Event::DecisionStatusChanged(DecisionStatusChanged {
                        decision: d,
                        status,
                        superseded_by: None,
                        note: None,
                    }),
                ));
            }
        }
        g.next = day + Days::new(21 + rng.below(22));
        // An erratum in the previous meeting's minutes, found when this one approves
        // them (one meeting in twenty): the correction cites a recent event, as real
        // ones do.
        let erratum = g.minuted.take().filter(|_| rng.chance(5));
        g.minuted = b.iter().enumerate().find_map(|(i, e)| match &e.event {
            Event::ItemMinuted(m) => Some((Seq((count + i + 1) as u64), m.clone())),
            _ => None,
        });
        push(b, &mut count)?;
        if let Some((target, mut m)) = erratum {
            m.text.push_str(" (rettet)");
            let c = EventCorrected {
                target,
                reason: "Rettelse af referatets tekst".into(),
                replacement: Some(Box::new(Event::ItemMinuted(m))),
                effective: None,
            };
            push(vec![ev(day, Event::EventCorrected(c))], &mut count)?;
        }
    }
    Ok(())
}
