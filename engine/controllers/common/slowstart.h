#pragma once
// Kubernetes' slowStartBatch (pkg/controller/replicaset): `count` calls in batches of 1, 2, 4, ...
// each batch sent at once and awaited, stopping after the first batch with a failure. A
// ReplicaSet whose pods are all refused (quota, admission) then sends one request, not hundreds,
// and its events say so once.

#include "engine/controllers/common/task.h"

#include <algorithm>

namespace cd::controllers {

struct SlowStartOutcome {
    int successes = 0;
    // The first failure of the batch that stopped the run, if any.
    std::optional<client::Response> failure;
};

// `attempt(done)` sends one request; `succeeded(answer)` judges each answer once its batch is
// complete (on the coroutine, so it may record events).
inline Task<SlowStartOutcome> slowStartBatch(const CoroutineScope &scope, int count, int initialBatchSize,
                                             std::function<void(client::Client::Callback)> attempt,
                                             std::function<bool(const client::Response &)> succeeded)
{
    SlowStartOutcome outcome;
    int remaining = count;
    for (int batch = std::min(remaining, initialBatchSize); batch > 0; batch = std::min(2 * batch, remaining)) {
        std::vector<client::Response> answers =
            co_await scope.all(batch, [&attempt](int, client::Client::Callback done) { attempt(std::move(done)); });
        for (const client::Response &answer : answers) {
            if (succeeded(answer))
                ++outcome.successes;
            else if (!outcome.failure)
                outcome.failure = answer;
        }
        if (outcome.failure)
            break;
        remaining -= batch;
    }
    co_return outcome;
}

} // namespace cd::controllers
