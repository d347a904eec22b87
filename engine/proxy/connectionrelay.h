#pragma once
// The host side of NodePort and LoadBalancer Services (and, later, port-forward): TCP
// connections accepted on host loopback are relayed to a target reached through another socket
// — one made inside the cluster's network namespace, connected to the Service's ClusterIP.
//
// One thread of its own, one epoll set for every listener and connection, and splice(): bytes
// move socket → pipe → socket inside the kernel, never copied through this process. Half-closes
// are passed on (shutdown of the write side), a reset on one side resets the other, and a target
// that refuses (a Service without endpoints) resets the accepted connection at once.
//
// Thread-safe: listeners are added and removed from any thread; the work happens on the relay's.

#include "engine/core/result.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>

namespace cd::proxy {

struct RelayStats {
    std::uint64_t accepted = 0;
    std::uint64_t refused = 0; // the target refused or could not be reached: reset at once
    std::uint64_t active = 0;
    std::uint64_t bytes = 0; // relayed, both directions
};

class ConnectionRelay {
public:
    // A fresh TCP socket to reach the target with (close-on-exec, blocking or not); called on the
    // relay's thread for each accepted connection.
    using SocketSource = std::function<Result<int>()>;

    ConnectionRelay();
    ~ConnectionRelay(); // stops the thread, closes every listener and connection
    ConnectionRelay(const ConnectionRelay &) = delete;
    ConnectionRelay &operator=(const ConnectionRelay &) = delete;

    Status start();

    // Relays every connection accepted on `listener` (a listening TCP socket, owned from now on)
    // to `target`, through sockets from `source`. Returns an id for removeListener().
    std::uint64_t addListener(int listener, sockaddr_in target, SocketSource source);
    // Closes the listener; connections it accepted go on until either side ends them.
    void removeListener(std::uint64_t id);

    RelayStats stats() const;

private:
    struct Handle;
    struct Flow;
    struct Listener;
    struct Connection;
    struct Command;
    class Loop;

    void post(Command command);

    std::unique_ptr<Loop> m_loop;
    std::thread m_thread;
    std::atomic<std::uint64_t> m_nextId{1};
};

} // namespace cd::proxy
