use super::*;
use crate::config::Config;
use crate::source::SourceSet;

fn profile(yaml: &str) -> Profile {
    crate::yaml::from_str(yaml).unwrap()
}

fn model_of(text: &str) -> crate::model::Model {
    let mut sources = SourceSet::new();
    sources.add("t.cfg", None, text);
    crate::check(sources, &crate::Options::default()).model
}

const WEB: &str = "global\n    maxconn 1000\ndefaults\n    mode http\n    \
    timeout connect 5s\n    timeout client 30s\n    timeout \
    server 30s\nfrontend www\n    bind :443 ssl crt /etc/x.pem\
    \n    default_backend app\nbackend app\n    server a \
    10.0.0.1:80\n    server b 10.0.0.2:80\n";

fn plan_for(text: &str, yaml: &str) -> Plan {
    let facts = profile(yaml).facts().unwrap();
    let config = Config::default();
    plan(&model_of(text), &facts, &config, &config.facts().unwrap())
}

#[test]
fn invalid_facts_name_their_field() {
    for (yaml, field) in [
        ("memory: 4G\n", "cores"),
        ("cores: 0\nmemory: 4G\n", "cores"),
        ("cores: 2\n", "memory"),
        ("cores: 2\nmemory: -4G\n", "memory"),
        ("cores: 2\nmemory: 4X\n", "memory"),
        (
            "cores: 2\nmemory: 4G\npeak-connections: -1\n",
            "peak-connections",
        ),
        (
            "cores: 2\nmemory: 4G\ntls-client-share: 1.5\n",
            "tls-client-share",
        ),
    ] {
        let error = profile(yaml).facts().unwrap_err().to_string();
        assert!(error.contains(&format!("`{field}`")), "{yaml}: {error}");
    }
    assert!(crate::yaml::from_str::<Profile>("cores: 2\nmemroy: 4G\n").is_err());
}

#[test]
fn sizes() {
    assert_eq!(parse_size("4G"), Some(4 << 30));
    assert_eq!(parse_size("4GB"), Some(4 << 30));
    assert_eq!(parse_size("4096M"), Some(4 << 30));
    assert_eq!(parse_size("512MiB"), Some(512 << 20));
    assert_eq!(parse_size("-4G"), None);
    assert_eq!(parse_size("4X"), None);
}

#[test]
fn arithmetic_of_the_global_maxconn() {
    let plan = plan_for(WEB, "cores: 2\nmemory: 4G\n");
    // 2 × 16 KiB buffers + 8 KiB structures + TLS on every client side (36 KiB), none toward
    // servers.
    assert_eq!(plan.session_bytes, 2 * 16_384 + 8 * 1024 + 36 * 1024);
    assert_eq!(
        plan.global_maxconn,
        ((4u64 << 30) as f64 * 0.75) as u64 / plan.session_bytes / 100 * 100
    );
    let with_peak = plan_for(WEB, "cores: 2\nmemory: 4G\npeak-connections: 8000\n");
    assert_eq!(with_peak.global_maxconn, 10_000);
    // What one server of unknown kind sustains (the stated default), not the
    // client connections divided among the servers.
    assert_eq!(with_peak.server_maxconn, vec![("app".to_string(), 500)]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(7),
        ..Default::default()
    })]

    #[test]
    fn more_memory_never_lowers_maxconn(
        memory in 64u64..65_536,
        extra in 1u64..65_536,
        peak in proptest::option::of(1i64..500_000),
    ) {
        let peak = peak.map(|p| format!("peak-connections: {p}\n")).unwrap_or_default();
        let small = plan_for(WEB, &format!("cores: 2\nmemory: {memory}M\n{peak}"));
        let large = plan_for(WEB, &format!("cores: 2\nmemory: {}M\n{peak}", memory + extra));
        proptest::prop_assert!(large.global_maxconn >= small.global_maxconn);
    }

    #[test]
    fn more_servers_never_raise_the_per_server_maxconn(
        servers in 1usize..40,
        more in 1usize..40,
        peak in 1i64..200_000,
    ) {
        let backend = |n: usize| {
            let mut text = WEB.split("\nbackend app").next().unwrap_or("").to_string();
            text.push_str("\nbackend app\n");
            for i in 0..n {
                text.push_str(&format!("    server s{i} 10.0.0.{}:80\n", i % 250 + 1));
            }
            text
        };
        let yaml = format!("cores: 2\nmemory: 4G\npeak-connections: {peak}\n");
        let few = plan_for(&backend(servers), &yaml).server_maxconn[0].1;
        let many = plan_for(&backend(servers + more), &yaml).server_maxconn[0].1;
        proptest::prop_assert!(many <= few);
        // Within the bounds, all servers together take what the backend may get.
        let capacity = peak as u64;
        proptest::prop_assert!((16..=500).contains(&few));
        proptest::prop_assert!(few * servers as u64 >= capacity.min(500 * servers as u64));
    }
}

#[test]
fn short_upstream_idle_timeouts_get_a_purge_delay() {
    let facts = profile("cores: 2\nmemory: 4G\n").facts().unwrap();
    let config = Config::parse(
        "x.yaml",
        "upstream-kinds:\n  varnish:\n    description: Varnish\n    \
            idle-timeout: 4s\n    source: test\nupstreams:\n  10.0.0.1: \
            varnish\n",
    )
    .unwrap();
    let plan = plan(&model_of(WEB), &facts, &config, &config.facts().unwrap());
    assert!(
        plan.changes
            .iter()
            .any(|c| c.line.contains("pool-purge-delay 1s")),
        "{:?}",
        plan.changes
    );
}

/// Issue 17: a 4 s keep-alive upstream used to get `timeout server 9s`, which
/// turns slow responses into 504s; idle time is not response time.
#[test]
fn timeout_server_is_not_sized_from_an_idle_timeout() {
    let facts = profile("cores: 2\nmemory: 4G\n").facts().unwrap();
    let config = Config::parse(
        "x.yaml",
        concat!(
            "upstream-kinds:\n",
            "  varnish:\n",
            "    description: Varnish\n",
            "    idle-timeout: 4s\n",
            "    source: test\n",
            "upstreams:\n",
            "  10.0.0.1: varnish\n",
        ),
    )
    .unwrap();
    let plan = plan(&model_of(WEB), &facts, &config, &config.facts().unwrap());
    assert!(
        !plan
            .changes
            .iter()
            .any(|c| c.line.starts_with("timeout server")),
        "{:?}",
        plan.changes
    );
}

/// Issue 17: haproxy already runs one thread per CPU; tune writes `nbthread`
/// only over a different value, within the target's limit, and no `cpu-map`.
#[test]
fn threads_only_where_set_and_within_the_version_limit() {
    let facts = profile("cores: 128\nmemory: 64G\n").facts().unwrap();
    let none = Config::default();
    let plan_of = |config_text: &str, cfg: &Config| {
        plan(&model_of(config_text), &facts, cfg, &cfg.facts().unwrap())
    };
    let untouched = plan_of(WEB, &none);
    assert!(
        !untouched
            .changes
            .iter()
            .any(|c| c.line.starts_with("nbthread") || c.line.starts_with("cpu-map")),
        "{:?}",
        untouched.changes
    );
    let pinned = WEB.replacen("global\n", "global\n    nbthread 1\n", 1);
    let old = Config::parse("x.yaml", "haproxy-version: 2.6\n").unwrap();
    let lines: Vec<String> = plan_of(&pinned, &old)
        .changes
        .iter()
        .map(|c| c.line.clone())
        .collect();
    assert!(lines.contains(&"nbthread 64".to_string()), "{lines:?}");
    let new = Config::parse("x.yaml", "haproxy-version: 3.2\n").unwrap();
    let lines: Vec<String> = plan_of(&pinned, &new)
        .changes
        .iter()
        .map(|c| c.line.clone())
        .collect();
    assert!(lines.contains(&"nbthread 128".to_string()), "{lines:?}");
}

/// Issue 17: turning body buffering on makes `timeout http-request` bound the
/// body; a 5 s value (the incident's) would turn 7 s bodies into 408s.
#[test]
fn buffering_raises_a_short_request_timeout() {
    let facts = profile("cores: 2\nmemory: 4G\n").facts().unwrap();
    let config = Config::parse("x.yaml", "upstreams:\n  10.0.0.1: aws-alb\n").unwrap();
    let web = WEB.replace(
        "    timeout server 30s\n",
        "    timeout server 30s\n    timeout http-request 5s\n",
    );
    let plan = plan(&model_of(&web), &facts, &config, &config.facts().unwrap());
    let change = plan
        .changes
        .iter()
        .find(|c| c.line.starts_with("timeout http-request"));
    let change = change.unwrap_or_else(|| panic!("{:?}", plan.changes));
    assert_eq!(change.line, "timeout http-request 15s");
    assert_eq!(change.section, "frontend www");
    assert!(
        change.reason.contains("408") && change.reason.contains("was 5s"),
        "{}",
        change.reason
    );
}

/// Issue 17: a cloud load balancer behind a 5-slot template is a few addresses,
/// and the arithmetic is printed, including whether anything can queue.
#[test]
fn server_maxconn_counts_addresses_and_prints_its_arithmetic() {
    let facts = profile("cores: 2\nmemory: 4G\npeak-connections: 8000\n")
        .facts()
        .unwrap();
    let config = Config::parse("x.yaml", "upstreams:\n  alb.example.com: aws-alb\n").unwrap();
    let web = WEB.replace(
        "    server a 10.0.0.1:80\n    server b 10.0.0.2:80\n",
        "    server-template alb 5 alb.example.com:443 ssl\n",
    );
    let plan = plan(&model_of(&web), &facts, &config, &config.facts().unwrap());
    let change = plan
        .changes
        .iter()
        .find(|c| c.line.starts_with("default-server maxconn"));
    let change = change.unwrap_or_else(|| panic!("{:?}", plan.changes));
    assert!(
        change.line.starts_with("default-server maxconn 10000"),
        "{}",
        change.line
    );
    assert!(
        change.reason.contains("3 addresses") && change.reason.contains("× 10000 = 30000"),
        "{}",
        change.reason
    );
    assert!(change.reason.contains("safety bound"), "{}", change.reason);
    // Two servers of unknown kind: 2 × 500 = 1000 in flight, the rest of 10000 queue.
    let plain = plan_for(WEB, "cores: 2\nmemory: 4G\npeak-connections: 8000\n");
    let change = plain
        .changes
        .iter()
        .find(|c| c.line.starts_with("default-server maxconn"))
        .unwrap();
    assert!(
        change.reason.contains("2 servers × 500 = 1000")
            && change.reason.contains("wait in haproxy's queue"),
        "{}",
        change.reason
    );
}

/// tune and long-server-timeout agree: only a value the rule flags is
/// replaced, by the same stated default.
#[test]
fn only_a_flagged_timeout_server_is_replaced_by_the_stated_default() {
    let long = plan_for(
        &WEB.replace("timeout server 30s", "timeout server 1h"),
        "cores: 2\nmemory: 4G\n",
    );
    let change = long
        .changes
        .iter()
        .find(|c| c.line.starts_with("timeout server"))
        .unwrap();
    assert_eq!(change.line, "timeout server 60s");
    let fine = plan_for(
        &WEB.replace("timeout server 30s", "timeout server 4m"),
        "cores: 2\nmemory: 4G\n",
    );
    assert!(
        !fine
            .changes
            .iter()
            .any(|c| c.line.starts_with("timeout server"))
    );
}
