//! The delivery step of a dispatch.

use crate::dispatch::{Dispatch, DispatchOutcome, Dispatched};
use crate::report::Attempt;

use super::deliverer::Deliverer;

impl Deliverer {
    /// Dispatches one callback: validates its payload, takes its URL, checks the policy and
    /// delivers it (see [`Dispatch`] for the steps). Never panics and never returns an error:
    /// the outcome says which step ended the dispatch, and how.
    ///
    /// ```no_run
    /// use callback_delivery::{Deliverer, DeliveryOptions, Dispatch, Payload};
    /// # async fn run(
    /// #     doc: &oas_callbacks::Document,
    /// #     op: &oas_callbacks::Operation,
    /// #     exchange: &expr_eval::OwnedExchange,
    /// # ) -> Result<(), Box<dyn std::error::Error>> {
    /// let deliverer = Deliverer::new(DeliveryOptions::default())?;
    /// let payload = Payload::from_json(serde_json::json!({"jobId": "7", "percent": 100, "state": "done"}));
    /// for callback in op.resolve_callbacks(exchange) {
    ///     let dispatched = deliverer.dispatch(&Dispatch::new(doc, op, &callback, &payload)).await;
    ///     println!("{}", serde_json::to_string(&dispatched)?);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn dispatch(&self, dispatch: &Dispatch<'_>) -> Dispatched {
        self.dispatch_observed(dispatch, &mut |_, _| {}).await
    }

    /// [`dispatch`](Self::dispatch), telling `on_attempt` of each delivery attempt as it ends
    /// (see [`deliver_observed`](Self::deliver_observed)).
    pub async fn dispatch_observed(
        &self,
        dispatch: &Dispatch<'_>,
        on_attempt: &mut (dyn FnMut(&str, &Attempt) + Send),
    ) -> Dispatched {
        match dispatch.prepare() {
            Err(not_sent) => *not_sent,
            Ok(request) => {
                let report = self.deliver_observed(&request, on_attempt).await;
                dispatch.dispatched(DispatchOutcome::Delivery(Box::new(report)))
            }
        }
    }
}
