//! `oas-callbacks resolve` and `links` on the real documents of the repository's `corpus/`, with
//! hand-written exchanges (`tests/data/exchanges/`): the exact JSON lines and exit statuses.
//! Skipped, saying so, when the corpus folder is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};

struct Case {
    name: &'static str,
    /// The corpus file's number prefix.
    document: &'static str,
    /// `resolve` or `links --status N`.
    command: &'static [&'static str],
    operation: &'static str,
    exchange: &'static str,
    status: i32,
    lines: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "01_query_callback_url_with_suffix",
        document: "01",
        command: &["resolve"],
        operation: "POST /streams",
        exchange: "01-stream.json",
        status: 0,
        lines: &[
            r#"{"callback":"onData","expression":"{$request.query.callbackUrl}/data","method":"POST","url":"https://tonys-server.com/data"}"#,
        ],
    },
    Case {
        name: "02_link_parameters_from_nested_response_body",
        document: "02",
        command: &["links", "--status", "200"],
        operation: "getPullRequestsById",
        exchange: "02-pull-request.json",
        status: 0,
        lines: &[
            r#"{"link":"pullRequestMerge","operationId":"mergePullRequest","parameters":{"username":"alice","slug":"tools","pid":7}}"#,
        ],
    },
    Case {
        name: "03_progress_url_header_behind_a_base_path",
        document: "03",
        command: &["resolve"],
        operation: "put-square",
        exchange: "03-put-square.json",
        status: 0,
        lines: &[
            r#"{"callback":"statusCallback","expression":"{$request.header.progressUrl}","method":"POST","operationId":"markOperationCallback","url":"https://player.example.net/moves/17"}"#,
        ],
    },
    Case {
        name: "03_link_path_parameters",
        document: "03",
        command: &["links", "--status", "200"],
        operation: "get-square",
        exchange: "03-get-square.json",
        status: 0,
        lines: &[
            r#"{"link":"markSquare","operationId":"put-square","parameters":{"row":"3","column":"1"}}"#,
        ],
    },
    Case {
        name: "07_several_callbacks_and_methods",
        document: "07",
        command: &["resolve"],
        operation: "POST /store/subscribe",
        exchange: "07-subscribe.yaml",
        status: 0,
        lines: &[
            r#"{"callback":"orderInProgress","expression":"{$request.body#/callbackUrl}?event={$request.body#/eventName}","method":"POST","url":"https://myserver.example.com/send/callback/here?event=orderInProgress"}"#,
            r#"{"callback":"orderInProgress","expression":"{$request.body#/callbackUrl}?event={$request.body#/eventName}","method":"PUT","url":"https://myserver.example.com/send/callback/here?event=orderInProgress"}"#,
            r#"{"callback":"orderShipped","expression":"{$request.body#/callbackUrl}?event={$request.body#/eventName}","method":"POST","url":"https://myserver.example.com/send/callback/here?event=orderInProgress"}"#,
            r#"{"callback":"orderDelivered","expression":"http://notificationServer.com?url={$request.body#/callbackUrl}&event={$request.body#/eventName}","method":"POST","url":"http://notificationServer.com?url=https://myserver.example.com/send/callback/here&event=orderInProgress"}"#,
        ],
    },
    Case {
        name: "13_deep_body_pointers_with_suffixes",
        document: "13",
        command: &["resolve"],
        operation: "PostAppSessions",
        exchange: "13-app-session.json",
        status: 0,
        lines: &[
            r#"{"callback":"terminationRequest","expression":"{$request.body#/ascReqData/notifUri}/terminate","method":"POST","url":"https://af.example.net/notify/app-session-1/terminate"}"#,
            r#"{"callback":"eventNotification","expression":"{$request.body#/ascReqData/evSubsc/notifUri}/notify","method":"POST","url":"https://af.example.net/events/app-session-1/notify"}"#,
            r#"{"callback":"detected5GsBridgeForPduSession","expression":"{$request.body#/ascReqData/evSubsc/notifUri}/new-bridge","method":"POST","url":"https://af.example.net/events/app-session-1/new-bridge"}"#,
            r#"{"callback":"eventNotificationPduSession","expression":"{$request.body#/ascReqData/evSubsc/notifUri}/pdu-session","method":"POST","url":"https://af.example.net/events/app-session-1/pdu-session"}"#,
        ],
    },
    Case {
        // A bare key through a `$ref`, a constant relative key (invalid: exit 1) and a template.
        name: "18_bare_key_constant_key_and_template",
        document: "18",
        command: &["resolve"],
        operation: "POST /subscribe",
        exchange: "18-subscribe.json",
        status: 1,
        lines: &[
            r#"{"callback":"simpleHook","expression":"$request.body#/url","method":"POST","url":"https://hooks.example.org/h/1"}"#,
            r#"{"callback":"callback2","expression":"/simplePath","method":"POST","invalid":{"url":"/simplePath","reason":"not an absolute URL: relative URL without a base"}}"#,
            r#"{"callback":"callback3","expression":"http://example.com?transactionId={$request.body#/id}&email={$request.body#/email}","method":"POST","url":"http://example.com?transactionId=tx-77&email=a@b.example"}"#,
        ],
    },
];

fn corpus_file(dir: &Path, prefix: &str) -> Option<PathBuf> {
    let mut found = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{prefix}-")))
        });
    found.next()
}

fn run(case: &Case, dir: &Path) -> Result<(), Failed> {
    let document = corpus_file(dir, case.document).ok_or("corpus document missing")?;
    let exchange = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/exchanges")
        .join(case.exchange);
    let output = Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .arg(case.command[0])
        .arg(&document)
        .args(&case.command[1..])
        .args(["--operation", case.operation, "--exchange"])
        .arg(&exchange)
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    if lines != case.lines {
        return Err(format!(
            "output differs\n--- expected\n{}\n--- got\n{stdout}{}",
            case.lines.join("\n"),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    if output.status.code() != Some(case.status) {
        return Err(format!(
            "exit status {:?}, expected {}",
            output.status.code(),
            case.status
        )
        .into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let trials = CASES
        .iter()
        .map(|case| {
            let dir = dir.clone();
            Trial::test(case.name, move || run(case, &dir))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
