//! `kubectl sts pvc NAME [--prune]`: the set's claims from one get and four concurrent lists,
//! exit 3 naming any claim a current replica needs that is not Bound. With `--prune`, delete
//! the leftover claims no pod uses, after confirmation, each on condition of its uid; a change
//! between planning and deleting is re-planned, never overwritten.

use std::io::Write as _;

use anyhow::Result;

use crate::cli::{OutputFormat, PvcArgs};
use crate::context::Context;
use crate::engine::write::Write;
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read, gone};
use crate::error::{StsError, is_not_found};
use crate::fetch;
use crate::model::flow::step::PodOutcome;
use crate::model::storage::claims::{ClaimsReport, PrunePlan, claims_report, plan_prune};
use crate::output::claims::{write_claims, write_prune_plan};
use crate::output::{Style, write_document};

/// Shows the claims, and prunes leftovers with `--prune`.
pub async fn run(ctx: &Context, args: &PvcArgs) -> Result<()> {
    let name = args.name.as_deref().unwrap_or_default();
    let (sts, storage) = match fetch::set_storage(ctx, name).await {
        Err(err) if is_not_found(&err) => return Err(super::left_behind(ctx, name, err).await),
        other => other?,
    };
    let report = claims_report(&sts, &storage);
    if ctx.output == OutputFormat::Table || !args.prune {
        print_report(ctx, &report)?;
    }
    if args.prune {
        let mut prune = Prune {
            name,
            report: report.clone(),
            deleted: false,
        };
        let flags = Flags::waiting(args.dry_run);
        crate::engine::run(ctx, &mut prune, flags).await?;
    }
    check(&report)
}

fn print_report(ctx: &Context, report: &ClaimsReport) -> Result<()> {
    let mut out = ctx.stdout();
    match ctx.output {
        OutputFormat::Table => write_claims(&mut out, report, Style::for_stdout().wide(ctx.wide))?,
        format => write_document(&mut out, format, report)?,
    }
    out.flush()?;
    Ok(())
}

/// Exit 3 when a claim a current replica needs is not Bound.
fn check(report: &ClaimsReport) -> Result<()> {
    let Some(first) = report.problems.first() else {
        return Ok(());
    };
    let more = match report.problems.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Err(StsError::CheckFailed(format!(
        "statefulset {}/{}: {first}{more}; see `kubectl describe pvc` for why",
        report.namespace, report.name
    ))
    .into())
}

/// `--prune`: the leftover claims no pod uses, deleted on condition of their uids.
struct Prune<'a> {
    name: &'a str,
    /// The claims as last read, shown before the plan and put in the document.
    report: ClaimsReport,
    deleted: bool,
}

impl Guided for Prune<'_> {
    type Plan = PrunePlan;

    fn kind(&self) -> &'static str {
        "PvcPruneResult"
    }

    fn set_name(&self) -> &str {
        self.name
    }

    fn command_line(&self) -> String {
        format!("kubectl sts pvc {} --prune", self.name)
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<PrunePlan>> {
        let (sts, storage) = fetch::set_storage(ctx, self.name).await?;
        self.report = claims_report(&sts, &storage);
        Ok(Read {
            plan: Ok(plan_prune(&self.report)),
            set: Some(sts),
        })
    }

    fn show(&self, plan: &PrunePlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_prune_plan(out, plan, Style::for_stdout())
    }

    fn nothing_to_do(&self, plan: &PrunePlan) -> Option<String> {
        plan.claims.is_empty().then(|| {
            format!(
                "statefulset {}/{} has no leftover claim to prune; nothing to do",
                plan.namespace, plan.name
            )
        })
    }

    fn question(&self, plan: &PrunePlan) -> Question {
        Question::YesNo(format!(
            "Delete {} leftover claim(s) of statefulset {}/{}? Volumes with reclaimPolicy Delete lose their data.",
            plan.claims.len(),
            plan.namespace,
            plan.name
        ))
    }

    fn action(&self, plan: &PrunePlan) -> String {
        format!(
            "delete leftover claims of statefulset {}/{}",
            plan.namespace, plan.name
        )
    }

    fn writes(&self, planned: &Planned<PrunePlan>) -> Vec<Write> {
        planned
            .plan
            .claims
            .iter()
            .map(|c| Write::DeleteClaim {
                claim: c.claim.clone(),
                uid: c.uid.clone().unwrap_or_default(),
            })
            .collect()
    }

    fn same_change(&self, old: &PrunePlan, new: &PrunePlan) -> bool {
        let key = |p: &PrunePlan| {
            p.claims
                .iter()
                .map(|c| (c.claim.clone(), c.uid.clone()))
                .collect::<Vec<_>>()
        };
        key(old) == key(new)
    }

    fn what_changed(&self, _old: &PrunePlan, _new: &PrunePlan) -> String {
        "its leftover claims changed".into()
    }

    fn resuming(&self, plan: &PrunePlan) -> String {
        format!(
            "resuming the prune of statefulset {}/{}",
            plan.namespace, plan.name
        )
    }

    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<PrunePlan>, _no_wait: bool) -> Ending {
        let plan = &planned.plan;
        let whose = format!("statefulset {}/{}", plan.namespace, plan.name);
        let result = gone::wait_claims_gone(ctx, &plan.claims).await.map_err(|end| {
            let resume = format!(
                "re-run `{}` to resume",
                ctx.sts(&format!("pvc {} --prune", plan.name))
            );
            end.into_error(
                ctx.timeout,
                "the claims are being deleted",
                &resume,
                &format!("{whose} was deleted"),
            )
        });
        self.deleted = result.is_ok();
        let message = result.map(|()| format!("deleted {} leftover claim(s) of {whose}", plan.claims.len()));
        Ending::from_result(message, self.claim_states(plan))
    }

    fn extra(&self, _plan: &PrunePlan) -> Option<serde_json::Value> {
        Some(serde_json::json!({"report": self.report}))
    }
}

impl Prune<'_> {
    /// Each claim of the plan: deleted, or still only planned.
    fn claim_states(&self, plan: &PrunePlan) -> Vec<PodOutcome> {
        plan.claims
            .iter()
            .map(|c| PodOutcome {
                pod: c.claim.clone(),
                state: if self.deleted { "deleted" } else { "planned" }.into(),
                done: self.deleted,
                seconds: None,
                old_uid: None,
                new_uid: None,
            })
            .collect()
    }
}
