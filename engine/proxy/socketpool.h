#pragma once
// TCP sockets of the cluster's network namespace, made ahead in batches: each relayed connection
// needs a fresh one, and asking the network helper for sixteen costs about what asking for one
// does. Thread-safe (the relay thread takes, anyone may drain).

#include "engine/core/result.h"

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace cd::proxy {

class SocketPool {
public:
    using Opener = std::function<Result<std::vector<int>>(int count)>;

    explicit SocketPool(Opener open, int batch = 16) : m_open(std::move(open)), m_batch(batch) {}
    ~SocketPool(); // closes the spare sockets
    SocketPool(const SocketPool &) = delete;
    SocketPool &operator=(const SocketPool &) = delete;

    // A socket (the caller's from now on); a batch is made when none is left.
    Result<int> take();
    size_t spare() const;

private:
    Opener m_open;
    int m_batch;
    mutable std::mutex m_mutex;
    std::deque<int> m_spare;
};

} // namespace cd::proxy
