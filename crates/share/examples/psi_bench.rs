//! Runs a full PSI session in one process and reports per-phase times.
//!
//! ```text
//! cargo run --release -p ctip-share --example psi_bench -- [N] [--cardinality]
//! ```
//!
//! Each side holds N distinct items (default 100,000), a tenth of them
//! shared. Every message goes through its byte encoding, as on the network.
//! "Per side" rates divide N by the wall time that side spent computing;
//! "per core" divides again by the rayon threads in use. On a shared machine
//! other processes steal cores, so the process CPU time of each phase is
//! printed as well (Linux only): N divided by a side's CPU seconds is the
//! per-core rate that contention does not distort.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use ctip_share::psi::{Initiator, PsiConfig, PsiItem, PsiMessage, PsiMode, Responder, SessionId};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("psi_bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut n: usize = 100_000;
    let mut mode = PsiMode::Intersection;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--cardinality" => mode = PsiMode::CardinalityOnly,
            other => {
                n = other
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("not a count: {other}"))?
            }
        }
    }
    let config = PsiConfig {
        mode,
        max_set_size: n.max(1),
    };
    let shared = n / 10;
    // Phone numbers: the realistic worst case, and the kind most exchanged.
    let phone = |i: usize| PsiItem::phone(&format!("+44 77{i:09}")).map_err(|e| e.to_string());
    let ours = (0..n).map(phone).collect::<Result<Vec<_>, _>>()?;
    let theirs = (n - shared..2 * n - shared)
        .map(phone)
        .collect::<Result<Vec<_>, _>>()?;
    let threads = rayon::current_num_threads();
    println!("PSI {n} x {n} items, {shared} shared, {mode:?} mode, {threads} rayon threads");

    let session = SessionId::random();
    let mut clock = Phases::default();
    let mut initiator = clock.time("A setup (dedup, shuffle)", Side::A, || {
        Initiator::new(session, config, ours)
    })?;
    let mut responder = clock.time("B setup (dedup, shuffle)", Side::B, || {
        Responder::new(session, config, theirs)
    })?;

    let request = clock.time("A step 1: hash + blind own", Side::A, || initiator.start())?;
    let (request, request_len) = clock.wire(&request)?;
    let reply = clock.time("B step 2: re-blind A's, hash + blind own", Side::B, || {
        responder.handle_request(&request)
    })?;
    let (reply, reply_len) = clock.wire(&reply)?;
    let (last, outcome_a) = clock.time("A step 3: re-blind B's, compare", Side::A, || {
        initiator.handle_reply(&reply)
    })?;
    let (last, last_len) = clock.wire(&last)?;
    let outcome_b = clock.time("B finish: read outcome", Side::B, || {
        responder.handle_outcome(&last)
    })?;

    if outcome_a.result.count() != shared || outcome_b.result.count() != shared {
        return Err(format!(
            "wrong result: A found {}, B found {}, expected {shared}",
            outcome_a.result.count(),
            outcome_b.result.count()
        ));
    }
    clock.print();
    let a = clock.side_total(Side::A).as_secs_f64();
    let b = clock.side_total(Side::B).as_secs_f64();
    let rate = |seconds: f64| n as f64 / seconds;
    for (side, wall) in [(Side::A, a), (Side::B, b)] {
        let cpu = clock.side_cpu(side).map_or_else(
            || "CPU time unavailable".to_owned(),
            |cpu| {
                let seconds = cpu.as_secs_f64();
                format!(
                    "{seconds:.2} s CPU = {:.0} items per CPU-second",
                    rate(seconds)
                )
            },
        );
        println!(
            "{}: {wall:.2} s wall, {:.0} items/s, {:.0} items/s per core ({threads} threads); {cpu}",
            if side == Side::A { "A" } else { "B" },
            rate(wall),
            rate(wall) / threads as f64,
        );
    }
    let total = request_len + reply_len + last_len;
    println!(
        "wire: step 1 {request_len} B, step 2 {reply_len} B, step 3 {last_len} B; total {total} B = {:.1} B per item ({:.1} B per item of the {} on both sides)",
        total as f64 / n as f64,
        total as f64 / (2 * n) as f64,
        2 * n
    );
    println!("intersection: {shared} items, found by both sides");
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    A,
    B,
    Wire,
}

#[derive(Default)]
struct Phases {
    /// Phase name, side, wall time, process CPU time (if readable).
    rows: Vec<(String, Side, Duration, Option<Duration>)>,
}

/// User + system CPU time of this process (all threads), from
/// `/proc/self/stat`; `None` where that file does not exist.
fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is parenthesised and may hold spaces.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 2..)?
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15 of the full line (11 and 12 here),
    // in USER_HZ ticks, which Linux fixes at 100 per second for user space.
    let total = ticks(11)? + ticks(12)?;
    Some(Duration::from_millis(total * 10))
}

impl Phases {
    /// Runs one phase, records its wall time, and turns its error into text.
    fn time<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        side: Side,
        work: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, String> {
        let cpu_before = process_cpu_time();
        let started = Instant::now();
        let result = work();
        let wall = started.elapsed();
        let cpu = process_cpu_time()
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        self.rows.push((name.to_owned(), side, wall, cpu));
        result.map_err(|error| format!("{name}: {error}"))
    }

    /// Encodes and decodes a message, as sending it over the network would.
    fn wire(&mut self, message: &PsiMessage) -> Result<(PsiMessage, usize), String> {
        let started = Instant::now();
        let bytes = message.to_bytes();
        let decoded = PsiMessage::from_bytes(&bytes).map_err(|e| e.to_string())?;
        self.rows.push((
            format!(
                "  encode + decode {} ({} bytes)",
                message.step(),
                bytes.len()
            ),
            Side::Wire,
            started.elapsed(),
            None,
        ));
        Ok((decoded, bytes.len()))
    }

    fn side_total(&self, side: Side) -> Duration {
        self.rows
            .iter()
            .filter(|row| row.1 == side)
            .map(|row| row.2)
            .sum()
    }

    /// CPU time of a side's phases; `None` if any was unreadable.
    fn side_cpu(&self, side: Side) -> Option<Duration> {
        self.rows
            .iter()
            .filter(|row| row.1 == side)
            .map(|row| row.3)
            .sum()
    }

    fn print(&self) {
        println!("{:<48} {:>9} {:>9}", "phase", "wall", "cpu");
        for (name, _, wall, cpu) in &self.rows {
            let cpu = cpu.map_or_else(
                || "-".to_owned(),
                |cpu| format!("{:.2} s", cpu.as_secs_f64()),
            );
            println!("{name:<48} {:>7.3} s {cpu:>9}", wall.as_secs_f64());
        }
    }
}
