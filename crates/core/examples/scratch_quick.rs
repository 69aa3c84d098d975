use superposition_core::checks::*;
use superposition_core::results::Record;
struct P;
impl Observer for P {
    fn record(&mut self, r: &Record) {
        if let Record::And2MinWidth {
            m_prime,
            resources,
            failure,
            centering,
            ..
        } = r
        {
            eprintln!(
                "and2 m' {m_prime} c {centering} n* {} fail {:?}",
                resources.hidden_width, failure.rate
            );
        }
        if let Record::RepresentationMinWidth { m, width, .. } = r {
            eprintln!("rep m {m} d* {width}");
        }
    }
    fn progress(&mut self, _: &str, _: u64, _: u64, _: &str) {}
}
fn main() {
    let scale = match std::env::args().nth(1).as_deref() {
        Some("standard") => Scale::Standard,
        _ => Scale::Quick,
    };
    let t = std::time::Instant::now();
    let res = Runner::new(ScaleConfig::new(scale, 4), 1, &mut P)
        .unwrap()
        .run(scale, "x".into())
        .unwrap();
    for c in &res.checks {
        println!(
            "{} {:?} {} | {} ({:.1}s)",
            c.id, c.status, c.measured, c.theory, c.seconds
        );
    }
    println!("total {:.1}s", t.elapsed().as_secs_f64());
}
