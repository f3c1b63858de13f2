//! CSV files as a table: header forms, separators, quoting, and each row's reason.
#![allow(clippy::unwrap_used)]

use super::*;

fn problems(text: &str) -> Vec<(u64, Option<String>)> {
    parse(text)
        .unwrap()
        .into_iter()
        .map(|r| (r.line, r.problem))
        .collect()
}

#[test]
fn headers_in_any_order_and_case_with_either_separator() {
    for text in [
        "email,name,role\na@x.example,Ann,admin\n",
        "Name,EMAIL,Role\r\nAnn,a@x.example,Admin\r\n",
        "\u{feff}email;name;role\na@x.example;Ann;ADMIN\n",
        "email,name\n\"a@x.example\",\"Ann\"\n",
        " email , name , role \n a@x.example , Ann , admin \n",
    ] {
        let rows = parse(text).unwrap();
        assert_eq!(rows.len(), 1, "{text:?}");
        assert_eq!(rows[0].address.as_deref(), Some("a@x.example"), "{text:?}");
        assert_eq!(rows[0].name, "Ann", "{text:?}");
        assert!(rows[0].problem.is_none(), "{text:?}");
    }
    let no_role = parse("email,name\na@x.example,Ann\n").unwrap();
    assert_eq!(no_role[0].role, Some(CompanyRole::User));
    // A quoted field may hold the separator and a line break.
    let quoted =
        parse("email,name\na@x.example,\"Doe, Jane\nthe second\"\nb@x.example,Bob\n").unwrap();
    assert_eq!(quoted[0].name, "Doe, Jane\nthe second");
    assert_eq!(quoted[1].line, 4);
}

#[test]
fn a_wrong_header_refuses_the_whole_file_naming_what_was_found() {
    for (text, found) in [
        (
            "Email Address,Full name\na@x.example,Ann\n",
            "Email Address, Full name",
        ),
        ("a@x.example,Ann\n", "a@x.example, Ann"),
        ("", "nothing"),
    ] {
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("email, name and role"), "{err}");
        assert!(err.contains(found), "{text:?}: {err}");
    }
}

#[test]
fn each_bad_row_says_why_and_the_first_of_two_addresses_wins() {
    let text = "email,name,role\n\
                a@x.example,Ann,user\n\
                not-an-address,Bob,user\n\
                ,Nobody,user\n\
                c@x.example,Cy,owner\n\
                A@X.example,Ann again,user\n\
                \n\
                ,,\n\
                d@x.example,Dee,\n";
    let got = problems(text);
    let reasons: Vec<(u64, &str)> = got
        .iter()
        .map(|(line, p)| (*line, p.as_deref().unwrap_or("ok")))
        .collect();
    assert_eq!(
        reasons,
        [
            (2, "ok"),
            (3, "Not an email address."),
            (4, "No email address."),
            (5, "The role must be Admin or User, not \"owner\"."),
            (6, "The same address as line 2."),
            (9, "ok"),
        ]
    );
    let long = format!("email,name\na@x.example,{}\n", "n".repeat(201));
    assert!(
        problems(&long)[0]
            .1
            .as_deref()
            .unwrap()
            .contains("longer than 200")
    );
}

#[test]
fn limits_are_refused_whole_and_say_the_limit() {
    let mut big = String::from("email,name\n");
    for n in 0..=MAX_ROWS {
        big.push_str(&format!("u{n}@x.example,U\n"));
    }
    let err = parse(&big).unwrap_err().to_string();
    assert!(err.contains("10000 rows"), "{err}");
    let exactly: String = big
        .lines()
        .take(MAX_ROWS + 1)
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(parse(&exactly).unwrap().len(), MAX_ROWS);
    let huge = format!("email,name\n{}", "x".repeat(MAX_BYTES));
    assert!(parse(&huge).unwrap_err().to_string().contains("2 MB"));
}

#[test]
fn judged_against_the_company_members_already_there() {
    let rows =
        parse("email,name\na@x.example,A\nb@x.example,B\nc@x.example,C\nd@x.example,D\n").unwrap();
    let members: HashMap<String, String> = [
        ("a@x.example", "active"),
        ("b@x.example", "invited"),
        ("c@x.example", "removed"),
    ]
    .into_iter()
    .map(|(e, s)| (e.to_owned(), s.to_owned()))
    .collect();
    let (report, to_invite) = judge(rows, &members, false);
    assert_eq!((report.invited, report.refused), (2, 2));
    assert_eq!(
        to_invite
            .iter()
            .map(|(e, _, _)| e.as_str())
            .collect::<Vec<_>>(),
        ["c@x.example", "d@x.example"]
    );
    assert_eq!(
        report.rows[0].result,
        CsvRowResult::Refused("Already a member.".into())
    );
    assert!(matches!(&report.rows[1].result, CsvRowResult::Refused(r) if r.contains("Resend")));
    assert_eq!(report.rows[3].result, CsvRowResult::WillInvite);
}
