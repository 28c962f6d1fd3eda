//! The HTML drift report of a generated fleet of 1,000 communities: how long it takes to build
//! and render, how large the page is, and how long headless Chromium takes to load and paint it.
//!
//! `cargo bench --bench drift_html -- [PAGE.html ...]` times other pages too, such as the
//! report of an imported fleet written by `hubc drift FLEET --format html > PAGE.html`.

#![allow(clippy::disallowed_methods)] // tests set up and read files

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use hubc::driver;
use hubc::report::drift;

/// The generator the tests use too.
#[path = "../tests/common/fleet.rs"]
mod fleet;

const N_COMMUNITIES: usize = 1_000;
const N_CLUSTERS: usize = 20;
const EXTRA_SETTINGS: usize = 8;
const RUNS: usize = 5;
const TODAY: (u16, u8, u8) = (2026, 11, 26);

fn main() {
    let directory = std::env::temp_dir().join("hubc-drift-html-bench");
    let fleet_directory = directory.join("fleet");
    write_fleet(&fleet_directory);
    let page = directory.join("drift.html");
    std::fs::write(&page, generated_page(&fleet_directory)).expect("the page is written");
    let mut pages = vec![page];
    pages.extend(
        std::env::args()
            .skip(1)
            .filter(|argument| !argument.starts_with("--"))
            .map(PathBuf::from),
    );
    let Some(browser) = chromium() else {
        println!("chromium is not installed: the pages were not rendered");
        return;
    };
    let blank = directory.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html>\n<title>blank</title>\n").expect("written");
    let baseline = median(&render_times(&browser, &blank, &directory));
    println!("chromium, a blank page: median {:.0} ms", millis(baseline));
    for page in &pages {
        let size = std::fs::metadata(page).expect("the page is there").len();
        let time = median(&render_times(&browser, page, &directory));
        println!(
            "{}: {} bytes, median {:.0} ms to load and paint, {:.0} ms above a blank page",
            page.display(),
            size,
            millis(time),
            millis(time.saturating_sub(baseline)),
        );
    }
}

/// Writes the generated fleet, as `hubc drift` reads it from disk.
fn write_fleet(directory: &Path) {
    let _ = std::fs::remove_dir_all(directory);
    let mut spec = fleet::Spec::new(N_COMMUNITIES, N_CLUSTERS);
    spec.extra_settings = EXTRA_SETTINGS;
    for (name, text) in fleet::generate(&spec) {
        let path = directory.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("created");
        std::fs::write(path, text).expect("written");
    }
}

/// The HTML report of the fleet, timing its analysis, the report and the page.
fn generated_page(directory: &Path) -> String {
    let started = Instant::now();
    let mut session = driver::load_fleet(directory);
    let analysis = driver::analyze(&mut session, TODAY).expect("the fleet parses");
    let analysed = started.elapsed();
    let started = Instant::now();
    let report = drift::build(&analysis, &session.sources, TODAY, 3);
    let built = started.elapsed();
    let started = Instant::now();
    let page = drift::html::render(&report);
    let rendered = started.elapsed();
    println!(
        "generated fleet: {} communities, {} overrides; analysis {:.0} ms, report {:.0} ms, \
         page {:.0} ms, {} bytes",
        report.totals.communities,
        report
            .communities
            .iter()
            .map(|c| c.overrides.len())
            .sum::<usize>(),
        millis(analysed),
        millis(built),
        millis(rendered),
        page.len()
    );
    page
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome-stable",
        "google-chrome",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file())
}

/// How long headless Chromium takes, from start to exit, to load `page` and take a screenshot
/// of it, `RUNS` times.
fn render_times(browser: &Path, page: &Path, directory: &Path) -> Vec<Duration> {
    let profile = directory.join("chromium-profile");
    let screenshot = directory.join("screenshot.png");
    let url = format!(
        "file://{}",
        page.canonicalize().expect("the page is there").display()
    );
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let status = Command::new(browser)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-extensions",
                    "--host-resolver-rules=MAP * ~NOTFOUND",
                    "--hide-scrollbars",
                    "--window-size=1280,2000",
                ])
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg(format!("--screenshot={}", screenshot.display()))
                .arg(&url)
                .output()
                .expect("chromium runs")
                .status;
            assert!(status.success(), "chromium failed on {url}");
            started.elapsed()
        })
        .collect()
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn millis(time: Duration) -> f64 {
    time.as_secs_f64() * 1000.0
}
