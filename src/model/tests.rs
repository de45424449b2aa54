use super::*;
use crate::source::SourceSet;
use crate::syntax;

fn model_of(files: &[&str]) -> Model {
    let mut set = SourceSet::new();
    for (i, text) in files.iter().enumerate() {
        set.add(format!("f{i}.cfg"), None, *text);
    }
    let trees = set.files().iter().map(syntax::parse).collect();
    Model::build(trees)
}

fn named<'m>(model: &'m Model, kind: SectionKind, name: &str) -> &'m Section {
    model.section(model.sections_named(kind, name)[0])
}

#[test]
fn sections_and_statements() {
    let model = model_of(&[
        "global\n  daemon\ndefaults\n  mode http\nbackend app\n  server a 10.0.0.1:80\n",
    ]);
    let kinds: Vec<_> = model.sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        vec![
            SectionKind::Global,
            SectionKind::Defaults,
            SectionKind::Backend
        ]
    );
    assert_eq!(
        named(&model, SectionKind::Backend, "app").statements.len(),
        1
    );
    assert!(model.findings.is_empty());
}

#[test]
fn proxies_inherit_from_the_latest_defaults_or_the_named_one() {
    let model = model_of(&[concat!(
        "defaults base\n  mode http\n  timeout server 30s\n  option http-server-close\n",
        "defaults tcp\n  mode tcp\n",
        "backend a\n  no option http-server-close\n",
        "backend b from base\n  timeout server 1m\n",
    )]);
    let a = named(&model, SectionKind::Backend, "a");
    let b = named(&model, SectionKind::Backend, "b");
    assert_eq!(model.mode(a), Mode::Tcp);
    assert_eq!(model.mode(b), Mode::Http);
    assert!(model.option_enabled(a, "http-server-close").is_none());
    let inherited = model.option_enabled(b, "http-server-close").unwrap();
    assert!(inherited.inherited);
    let (value, setting) = model.setting_value(b, "timeout server").unwrap();
    assert_eq!(value, "1m");
    assert!(!setting.inherited);
}

#[test]
fn sections_and_defaults_continue_across_files_but_each_file_starts_fresh() {
    let model = model_of(&[
        "defaults\n  mode http\n",
        "  stray line\nbackend app\n  server a 1.2.3.4:80\n",
    ]);
    let app = named(&model, SectionKind::Backend, "app");
    assert_eq!(model.mode(app), Mode::Http);
    assert_eq!(model.findings.len(), 1);
    assert!(model.findings[0].message.contains("out of section"));
}

#[test]
fn server_params_merge_default_server_lines() {
    let model = model_of(&[concat!(
        "defaults\n  default-server inter 6s rise 1 maxconn 10\n",
        "backend app\n  default-server maxconn 50 ssl\n  server a \
            alb.example.com:443 verify none no-ssl check port 443\n  \
            server b 10.0.0.2:443\n",
    )]);
    let app = named(&model, SectionKind::Backend, "app");
    let servers: Vec<_> = model.real_servers(app).collect();
    let (a, b) = (servers[0], servers[1]);
    assert_eq!(a.host(), Some("alb.example.com"));
    assert_eq!(a.port(), Some("443"));
    assert_eq!(model.server_param_value(app, a, "maxconn").unwrap().0, "50");
    assert_eq!(
        model.server_param_value(app, a, "verify").unwrap().0,
        "none"
    );
    assert!(!model.server_param(app, a, "ssl").unwrap().enabled);
    assert!(model.server_param(app, b, "ssl").unwrap().enabled);
    let rise = model.server_param(app, b, "rise").unwrap();
    assert!(matches!(rise.origin, ParamOrigin::Defaults(_)));
    assert_eq!(model.server_param_value(app, a, "port").unwrap().0, "443");
}

#[test]
fn references_resolve_or_stay_unresolved() {
    let model = model_of(&[concat!(
        "frontend fe\n  bind :80\n  acl is_api path_beg /api\n  \
            use_backend api if is_api !missing_acl METH_GET\n  \
            use_backend %[req.hdr(host)]\n  default_backend nowhere\n",
        "backend api\n  server-template alb 5 alb.example.com:443 resolvers aws\n",
    )]);
    let unresolved: Vec<_> = model
        .references
        .iter()
        .filter(|r| r.target.is_none())
        .map(|r| (r.kind, r.name.as_str()))
        .collect();
    assert_eq!(
        unresolved,
        vec![
            (RefKind::Acl, "missing_acl"),
            (RefKind::Backend, "nowhere"),
            (RefKind::Resolvers, "aws")
        ]
    );
    assert!(
        model
            .references
            .iter()
            .any(|r| r.name == "api" && r.target.is_some())
    );
}

#[test]
fn bad_proxy_names_and_missing_names() {
    let model = model_of(&["frontend www.test-frontend.net:8002/invalid\nbackend\n"]);
    let messages: Vec<_> = model.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("'/' is not permitted"));
    assert!(messages[1].contains("needs a name"));
}

/// Above `PARALLEL_STATEMENTS` the per-section work runs on two threads;
/// the result must be what one thread gives: every section's own servers,
/// binds and references, in section order, resolved across the halves.
#[test]
fn large_configurations_split_over_threads_give_the_same_model() {
    let backends = PARALLEL_STATEMENTS / 3 + 10;
    let mut text = String::from("frontend www\n  bind :80\n");
    for i in 0..backends {
        text.push_str(&format!("  use_backend be{i} if h{}\n", i % 7));
    }
    for i in 0..7 {
        text.push_str(&format!("  acl h{i} hdr(host) -i t{i}\n"));
    }
    for i in 0..backends {
        text.push_str(&format!(
            "backend be{i}\n  server a{i} 10.0.0.1:80 check\n  server \
                b{i} 10.0.0.2:80\n  use-server a{i} if TRUE\n"
        ));
    }
    let model = model_of(&[&text]);
    let statements: usize = model.sections.iter().map(|s| s.statements.len()).sum();
    assert!(statements >= PARALLEL_STATEMENTS);
    let small = model_of(&[
        "frontend www\n  bind :80\n  use_backend be0 if h0\n  acl h0 \
            hdr(host) -i t0\nbackend be0\n  server a0 10.0.0.1:80 check\
            \n  server b0 10.0.0.2:80\n  use-server a0 if TRUE\n",
    ]);
    assert!(
        small
            .sections
            .iter()
            .map(|s| s.statements.len())
            .sum::<usize>()
            < PARALLEL_STATEMENTS
    );

    for (i, section) in model.sections.iter().enumerate().skip(1) {
        let names: Vec<_> = section
            .servers
            .iter()
            .map(|s| s.name.clone().unwrap_or_default())
            .collect();
        assert_eq!(names, vec![format!("a{}", i - 1), format!("b{}", i - 1)]);
    }
    assert_eq!(model.sections[0].binds.len(), 1);
    // use_backend + its ACL per backend, then one use-server per backend.
    assert_eq!(model.references.len(), backends * 3);
    assert!(
        model.references.iter().all(|r| r.target.is_some()),
        "every name resolves"
    );
    assert!(
        model
            .references
            .windows(2)
            .all(|w| (w[0].section, w[0].stmt) <= (w[1].section, w[1].stmt))
    );
    let last = model.sections.last().unwrap();
    assert_eq!(model.frontends_using(last.id), &[model.sections[0].id]);
}
