//! Counters of the vault's sync for operators, in the Prometheus (OpenMetrics) text format:
//! pushes, pulls, conflicts, refusals, open event streams, rollbacks browsers reported, and the
//! time a push and a pull take. Served at `GET /metrics` on its own address (`metrics_bind`),
//! never on the public one. Numbers only: no id, no account, nothing sealed.

use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The instance's counters. Cheap to share (`Arc` in the app state); every update is atomic.
pub struct Metrics {
    registry: Registry,
    pushes: Counter,
    pulls: Counter,
    conflicts: Counter,
    refusals: Counter,
    rollbacks: Counter,
    streams: Gauge,
    push_seconds: Histogram,
    pull_seconds: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Counters at zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("strongroom_vault");
        let pushes = Counter::default();
        let pulls = Counter::default();
        let conflicts = Counter::default();
        let refusals = Counter::default();
        let rollbacks = Counter::default();
        let streams = Gauge::default();
        // 1 ms to about 16 s.
        let push_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        let pull_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register("pushes", "Pushes answered", pushes.clone());
        registry.register("pulls", "Pull pages answered", pulls.clone());
        registry.register(
            "conflicts",
            "Pushed changes answered with a conflict",
            conflicts.clone(),
        );
        registry.register("refusals", "Pushed changes refused", refusals.clone());
        registry.register(
            "rollbacks_reported",
            "Syncs in which a browser found the server serving older data than it had seen",
            rollbacks.clone(),
        );
        registry.register(
            "open_event_streams",
            "Change feeds (server-sent event streams) open on this instance",
            streams.clone(),
        );
        registry.register(
            "push_duration_seconds",
            "Time to answer a push",
            push_seconds.clone(),
        );
        registry.register(
            "pull_duration_seconds",
            "Time to answer a pull page",
            pull_seconds.clone(),
        );
        Self {
            registry,
            pushes,
            pulls,
            conflicts,
            refusals,
            rollbacks,
            streams,
            push_seconds,
            pull_seconds,
        }
    }

    /// A push was answered after `took`, with this many conflicts and refusals.
    pub fn pushed(&self, took: Duration, conflicts: usize, refusals: usize) {
        self.pushes.inc();
        self.conflicts.inc_by(conflicts as u64);
        self.refusals.inc_by(refusals as u64);
        self.push_seconds.observe(took.as_secs_f64());
    }

    /// A pull page was answered after `took`.
    pub fn pulled(&self, took: Duration) {
        self.pulls.inc();
        self.pull_seconds.observe(took.as_secs_f64());
    }

    /// A browser reported a server that went back in time.
    pub fn rollback_reported(&self) {
        self.rollbacks.inc();
    }

    /// An event stream opened; it counts as open until the guard is dropped.
    pub fn stream_opened(&self) -> OpenStream {
        self.streams.inc();
        OpenStream(self.streams.clone())
    }

    /// Everything, in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String does not fail");
        out
    }
}

/// Counts one open event stream until dropped.
pub struct OpenStream(Gauge);

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.pushed(Duration::from_millis(3), 2, 1);
        metrics.pulled(Duration::from_millis(1));
        metrics.rollback_reported();
        let open = metrics.stream_opened();
        let text = metrics.render();
        for line in [
            "strongroom_vault_pushes_total 1",
            "strongroom_vault_pulls_total 1",
            "strongroom_vault_conflicts_total 2",
            "strongroom_vault_refusals_total 1",
            "strongroom_vault_rollbacks_reported_total 1",
            "strongroom_vault_open_event_streams 1",
            "strongroom_vault_push_duration_seconds_count 1",
            "strongroom_vault_pull_duration_seconds_count 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        drop(open);
        assert!(
            metrics
                .render()
                .lines()
                .any(|l| l == "strongroom_vault_open_event_streams 0")
        );
    }
}
