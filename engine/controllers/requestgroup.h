#pragma once
// Waits for a group of asynchronous API requests: `then` runs once, after the last one answered,
// and learns whether any failed (for a controller to retry with backoff).

#include "engine/client/client.h"

#include <functional>
#include <memory>

namespace cd::controllers {

class RequestGroup {
public:
    // `acceptable` statuses besides 2xx that count as success (e.g. 404 on a delete).
    explicit RequestGroup(std::function<void(bool anyFailed)> then, std::vector<int> acceptable = {404})
        : m_state(std::make_shared<State>())
    {
        m_state->then = std::move(then);
        m_state->acceptable = std::move(acceptable);
    }

    // A callback for one more request of the group.
    client::Client::Callback add()
    {
        ++m_state->outstanding;
        return [state = m_state](const client::Response &response) {
            bool ok = response.ok();
            for (int status : state->acceptable)
                ok = ok || response.status == status;
            state->failed = state->failed || !ok;
            if (--state->outstanding == 0 && state->sealed)
                state->finish();
        };
    }
    // No more requests will be added; `then` runs now if none is outstanding.
    void seal()
    {
        m_state->sealed = true;
        if (m_state->outstanding == 0)
            m_state->finish();
    }

private:
    struct State {
        std::function<void(bool)> then;
        std::vector<int> acceptable;
        int outstanding = 0;
        bool sealed = false;
        bool failed = false;
        bool finished = false;
        void finish()
        {
            if (finished)
                return;
            finished = true;
            then(failed);
        }
    };
    std::shared_ptr<State> m_state;
};

} // namespace cd::controllers
