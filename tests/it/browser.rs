//! The site in a real headless Chromium, driven over WebDriver (Debian's chromium and
//! chromium-driver). Ignored by `cargo test`, so a run without a browser says so; `.ci/run`
//! installs them and runs it (`--ignored`), where a missing browser is a failure.
//! Screenshots go to target/browser/.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Session {
    base: String,
}

impl Session {
    fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let mut resp = ureq::post(&url).send_json(&body).unwrap_or_else(|e| panic!("POST {path}: {e}"));
        resp.body_mut().read_json::<Value>().unwrap()["value"].take()
    }

    fn get(&self, path: &str) -> Value {
        let mut resp = ureq::get(&format!("{}{path}", self.base)).call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        resp.body_mut().read_json::<Value>().unwrap()["value"].take()
    }

    fn open(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        let v = self.post("/elements", json!({"using": "css selector", "value": css}));
        v.as_array().unwrap().iter().map(|e| e[ELEMENT].as_str().unwrap().to_string()).collect()
    }

    /// The first element matching `css`, waiting for it: a click that navigates returns
    /// before the new page is there.
    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(e) = self.find_all(css).into_iter().next() {
                return e;
            }
            if Instant::now() >= deadline {
                // Say what page is there instead, so a failure names its cause.
                let url = self.get("/url");
                let page = self.find_all("body").into_iter().next().map(|b| self.text(&b)).unwrap_or_default();
                panic!("no element {css} on {url}: {page}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the page's URL contains `part`.
    fn wait_for_url(&self, part: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.get("/url").as_str().unwrap().to_string();
            if url.contains(part) {
                return url;
            }
            assert!(Instant::now() < deadline, "the page did not reach {part}: {url}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn text(&self, element: &str) -> String {
        self.get(&format!("/element/{element}/text")).as_str().unwrap().to_string()
    }

    fn click(&self, element: &str) {
        self.post(&format!("/element/{element}/click"), json!({}));
    }

    fn type_into(&self, element: &str, text: &str) {
        self.post(&format!("/element/{element}/value"), json!({ "text": text }));
    }

    fn script(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD.decode(self.get("/screenshot").as_str().unwrap()).unwrap();
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/browser"));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(url).call().is_err() {
        assert!(Instant::now() < deadline, "{url} did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs Debian's chromium and chromium-driver; .ci/run installs them and runs it"]
fn the_site_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();

    // The server, started as the README says, on a port of its choosing.
    let started = Instant::now();
    let mut server = Command::new(env!("CARGO_BIN_EXE_protokol"))
        .args(["--ledger", dir.path().join("l").to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
        .env_remove("PROTOKOL_TOKENS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(server.stdout.take().unwrap());
    let _server = Kill(server);
    let site = stdout
        .lines()
        .map(|l| l.unwrap())
        .find_map(|l| l.strip_prefix("serving on ").map(|u| u.trim_end_matches('/').to_string()))
        .expect("the server says where it listens");
    wait_for(&format!("{site}/api/head"));
    eprintln!("server answered {} ms after start (seeding included)", started.elapsed().as_millis());

    let port = free_port();
    let _driver = Kill(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed"),
    );
    let driver_url = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{driver_url}/status"));
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1200,1600", format!("--user-data-dir={}", profile.path().display())]
    }}}});
    let mut resp = ureq::post(&format!("{driver_url}/session")).send_json(&caps).unwrap();
    let created: Value = resp.body_mut().read_json().unwrap();
    let id = created["value"]["sessionId"].as_str().expect("a session").to_string();
    let s = Session { base: format!("{driver_url}/session/{id}") };

    // The home page: the body, its next meetings, latest decisions and open actions.
    s.open(&format!("{site}/"));
    let h1 = s.text(&s.find("h1"));
    assert_eq!(h1, "Styregruppen for ATMP Danmark");
    assert!(s.find_all("#latest-decisions li").len() == protokol::http::site::HOME_ROWS);
    s.screenshot("home");

    // The steering group on the day of its 4th meeting.
    s.open(&format!("{site}/groups/styregruppen?at=2026-01-21"));
    let members: Vec<String> = s.find_all("tr.member").iter().map(|e| s.text(e)).collect();
    assert_eq!(members.len(), 12, "{members:?}");
    assert!(members.iter().any(|m| m.contains("Erik Jylling (formandskab)")), "{members:?}");
    assert!(members.iter().any(|m| m.contains("Flemming Sonne")));
    // Regression: an SVG element the template left open (`<line>`) swallowed the rest,
    // which the browser then never drew. Every membership's bar is drawn.
    let drawn = s.script(
        "return [...document.querySelectorAll('svg rect')].filter(r => r.getBoundingClientRect().width > 0 && r.querySelector('title')).length;",
    );
    assert_eq!(drawn.as_u64(), Some(12), "bars drawn in the timeline");
    s.screenshot("group-styregruppen-2026-01-21");

    // Change the date with the form: the day before, Flemming Sonne had not joined.
    s.script("document.getElementById('at').value = '2026-01-20';");
    let show = s.find("form button[type=submit]");
    s.click(&show);
    s.wait_for_url("at=2026-01-20");
    let members: Vec<String> = s.find_all("tr.member").iter().map(|e| s.text(e)).collect();
    assert_eq!(members.len(), 11, "{members:?}");
    assert!(!members.iter().any(|m| m.contains("Flemming Sonne")));

    // Follow the link to the 4th meeting.
    let link = s.find("a[href^='/meetings/styregruppen/4']");
    s.click(&link);
    s.wait_for_url("/meetings/styregruppen/4");
    let h1 = s.text(&s.find("h1"));
    assert!(h1.contains("4. ordinære møde i styregruppen"), "{h1}");
    let body = s.text(&s.find("main"));
    assert!(body.contains("Styregruppen tog orienteringen til efterretning."));
    s.screenshot("meeting-styregruppen-4");

    // Upload a document on the check page.
    let doc = dir.path().join("referat.pdf");
    std::fs::write(&doc, b"%PDF-1.4 not the approved minutes").unwrap();
    s.open(&format!("{site}/check"));
    let input = s.find("#document");
    s.type_into(&input, doc.to_str().unwrap());
    let check = s.find("#check");
    s.click(&check);
    s.wait_for_url("/check?lang=");
    let result = s.text(&s.find("#result"));
    assert!(result.contains("svarer ikke til noget godkendt referat"), "{result}");
    s.screenshot("check-document");

    // Every page at a phone's width (390 px): nothing wider than the screen (a table
    // scrolls within itself, the timeline scales), and on Danish pages no code word
    // (`co_chair`, `approved_with_reservations`) where a word belongs.
    s.post("/window/rect", json!({"width": 390, "height": 844}));
    let width = s.script("return window.innerWidth;").as_u64().unwrap();
    assert!(width <= 400, "the window is a phone's width: {width}");
    for (path, name) in [
        ("/", "home"),
        ("/groups/styregruppen?at=2026-01-21", "group"),
        ("/meetings/styregruppen/4", "meeting"),
        ("/decisions", "decisions"),
        ("/people/erik-jylling", "person"),
        ("/audit", "audit"),
        ("/search?q=ATMP", "search"),
        ("/check", "check"),
        ("/actions", "actions"),
        ("/about", "about"),
        ("/meetings", "meetings"),
        ("/people", "people"),
        ("/organisations", "organisations"),
    ] {
        s.open(&format!("{site}{path}"));
        s.find("main");
        let overflow = s.script(
            "return [document.documentElement.scrollWidth, window.innerWidth, \
             [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 \
               && !e.closest('table')).map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 40))];",
        );
        let (page_width, screen) = (overflow[0].as_u64().unwrap(), overflow[1].as_u64().unwrap());
        assert!(
            page_width <= screen,
            "{path}: the page is {page_width} px wide on a {screen} px screen: {}",
            overflow[2]
        );
        assert!(overflow[2].as_array().unwrap().is_empty(), "{path}: cut off at the right: {}", overflow[2]);
        let text = s.text(&s.find("main"));
        let codes: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .filter(|w| w.contains('_') && !w.starts_with('_') && !w.ends_with('_'))
            .collect();
        assert!(codes.is_empty(), "{path}: code words on a Danish page: {codes:?}");
        s.screenshot(&format!("phone-{name}"));
    }

    let _ = ureq::delete(&s.base).call();
}
