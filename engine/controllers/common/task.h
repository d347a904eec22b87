#pragma once
// Coroutines for reconciles that are a sequence of API calls, each depending on the answer of
// the one before (the deployment controller scales a ReplicaSet, then writes the Deployment's
// status with what it learned). With `co_await` the code keeps the shape of Kubernetes'
// synchronous controllers while the control thread never blocks.
//
//   Task<bool> sync(std::string key) {
//       client::Response r = co_await m_scope.call([&](auto done) { m_client->update(rs, object, done); });
//       co_return !r.ok();
//   }
//   m_scope.spawn(run(key));
//
// A CoroutineScope owns the coroutines it started: destroying it (with its controller) destroys
// those still waiting, and answers that arrive later are dropped instead of resuming them.

#include "engine/client/client.h"

#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace cd::controllers {

namespace detail {

// Shared by every Task promise: starts lazily, and at the end resumes whoever awaited it.
struct TaskPromiseBase {
    std::coroutine_handle<> continuation;

    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <typename Promise>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> finished) noexcept
        {
            std::coroutine_handle<> next = finished.promise().continuation;
            return next ? next : std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };

    std::suspend_always initial_suspend() noexcept { return {}; }
    FinalAwaiter final_suspend() noexcept { return {}; }
    // The engine reports errors as values; an exception here is a bug.
    void unhandled_exception() noexcept { std::terminate(); }
};

} // namespace detail

// A lazily started coroutine that produces a T; `co_await task` runs it and gives its result.
template <typename T = void>
class [[nodiscard]] Task {
public:
    struct promise_type : detail::TaskPromiseBase {
        std::optional<T> value;
        Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
        template <typename U>
        void return_value(U &&result)
        {
            value.emplace(std::forward<U>(result));
        }
    };

    Task(Task &&other) noexcept : m_handle(std::exchange(other.m_handle, {})) {}
    Task &operator=(Task &&) = delete;
    ~Task()
    {
        if (m_handle)
            m_handle.destroy();
    }

    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept
    {
        m_handle.promise().continuation = awaiting;
        return m_handle;
    }
    T await_resume() { return std::move(*m_handle.promise().value); }

private:
    explicit Task(std::coroutine_handle<promise_type> handle) : m_handle(handle) {}
    std::coroutine_handle<promise_type> m_handle;
};

template <>
class [[nodiscard]] Task<void> {
public:
    struct promise_type : detail::TaskPromiseBase {
        Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
        void return_void() {}
    };

    Task(Task &&other) noexcept : m_handle(std::exchange(other.m_handle, {})) {}
    Task &operator=(Task &&) = delete;
    ~Task()
    {
        if (m_handle)
            m_handle.destroy();
    }

    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept
    {
        m_handle.promise().continuation = awaiting;
        return m_handle;
    }
    void await_resume() noexcept {}

private:
    explicit Task(std::coroutine_handle<promise_type> handle) : m_handle(handle) {}
    std::coroutine_handle<promise_type> m_handle;
};

// Starts coroutines, lets them wait for API answers, and ends those still waiting when it is
// destroyed. Belongs to one thread (the controller's).
class CoroutineScope {
public:
    using Start = std::function<void(client::Client::Callback done)>;

    CoroutineScope() : m_alive(std::make_shared<bool>(true)) {}
    CoroutineScope(const CoroutineScope &) = delete;
    CoroutineScope &operator=(const CoroutineScope &) = delete;
    ~CoroutineScope()
    {
        *m_alive = false;
        std::set<RootHandle> roots = std::move(m_roots);
        m_roots.clear();
        for (RootHandle root : roots) {
            root.promise().scope = nullptr;
            root.destroy();  // destroys the Tasks it awaits, innermost last
        }
    }

    // Runs `task` now, up to its first wait; it goes on as answers arrive.
    void spawn(Task<void> task) { runDetached(*this, std::move(task)); }

    // One API request: `start` sends it with the given callback; co_await gives the answer.
    class Call {
    public:
        Call(Start start, std::shared_ptr<bool> alive) : m_start(std::move(start)), m_alive(std::move(alive)) {}
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> waiting)
        {
            // The answer may come at once; nothing here touches `this` after m_start returns.
            Start start = std::move(m_start);
            start([this, waiting, alive = m_alive](const client::Response &response) {
                if (!*alive)
                    return;
                m_response = response;
                waiting.resume();
            });
        }
        client::Response await_resume() { return std::move(m_response); }

    private:
        Start m_start;
        std::shared_ptr<bool> m_alive;
        client::Response m_response;
    };
    Call call(Start start) const { return Call(std::move(start), m_alive); }

    // Several API requests at once: `start(i, done)` sends request i; co_await gives every
    // answer, in order, once the last one came.
    class All {
    public:
        All(int count, std::function<void(int, client::Client::Callback)> start, std::shared_ptr<bool> alive)
            : m_count(count), m_start(std::move(start)), m_alive(std::move(alive))
        {
        }
        bool await_ready() const noexcept { return m_count <= 0; }
        void await_suspend(std::coroutine_handle<> waiting)
        {
            struct Gather {
                std::vector<client::Response> responses;
                int outstanding = 0;
            };
            auto gather = std::make_shared<Gather>();
            gather->responses.resize(m_count);
            gather->outstanding = m_count;
            const int count = m_count;
            auto start = std::move(m_start);
            for (int i = 0; i < count; ++i)
                start(i, [this, i, gather, waiting, alive = m_alive](const client::Response &response) {
                    if (!*alive)
                        return;
                    gather->responses[i] = response;
                    if (--gather->outstanding == 0) {
                        m_responses = std::move(gather->responses);
                        waiting.resume();
                    }
                });
        }
        std::vector<client::Response> await_resume() { return std::move(m_responses); }

    private:
        int m_count;
        std::function<void(int, client::Client::Callback)> m_start;
        std::shared_ptr<bool> m_alive;
        std::vector<client::Response> m_responses;
    };
    All all(int count, std::function<void(int, client::Client::Callback)> start) const
    {
        return All(count, std::move(start), m_alive);
    }

private:
    struct Detached {
        struct promise_type {
            CoroutineScope *scope;
            promise_type(CoroutineScope &owner, Task<void> &) : scope(&owner) {}
            Detached get_return_object()
            {
                scope->m_roots.insert(std::coroutine_handle<promise_type>::from_promise(*this));
                return {};
            }
            std::suspend_never initial_suspend() noexcept { return {}; }
            std::suspend_never final_suspend() noexcept { return {}; }
            void return_void() {}
            void unhandled_exception() noexcept { std::terminate(); }
            ~promise_type()
            {
                if (scope)
                    scope->m_roots.erase(std::coroutine_handle<promise_type>::from_promise(*this));
            }
        };
    };
    using RootHandle = std::coroutine_handle<Detached::promise_type>;

    static Detached runDetached(CoroutineScope &, Task<void> task) { co_await task; }

    std::shared_ptr<bool> m_alive;
    std::set<RootHandle> m_roots;
};

} // namespace cd::controllers
