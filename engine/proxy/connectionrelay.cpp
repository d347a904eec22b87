#include "engine/proxy/connectionrelay.h"

#include <QtGlobal>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <unordered_map>

#include <fcntl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cd::proxy {

namespace {

// Bigger pipes move more per splice() call; the kernel may give less (pipe-user-pages-soft).
constexpr int kPipeSize = 256 * 1024;
constexpr int kBacklog = 512;
constexpr int kPausedRetryMs = 100;

void setNonBlocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void setNoDelay(int fd)
{
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// Closing with a zero linger sends a reset instead of a FIN: the peer learns at once that the
// other end failed, as it would talking to that end directly.
void resetAndClose(int fd)
{
    if (fd < 0)
        return;
    const linger now{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
    ::close(fd);
}

int pendingError(int fd)
{
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
        return errno;
    return error;
}

} // namespace

struct ConnectionRelay::Command {
    enum class Kind { Add, Remove, Stop };
    Kind kind = Kind::Stop;
    std::uint64_t id = 0;
    int fd = -1;
    sockaddr_in target{};
    SocketSource source;
};

// What an epoll event points to.
struct ConnectionRelay::Handle {
    enum class Type { Wake, Listener, Client, Upstream };
    Type type = Type::Wake;
    void *owner = nullptr;
};

struct ConnectionRelay::Listener {
    Handle handle;
    std::uint64_t id = 0;
    int fd = -1;
    sockaddr_in target{};
    SocketSource source;
    bool paused = false; // out of descriptors: accepting again soon
};

// One direction of a connection: bytes from a socket into a pipe, from the pipe to the other.
struct ConnectionRelay::Flow {
    int pipeRead = -1;
    int pipeWrite = -1;
    size_t buffered = 0;
    size_t capacity = 0;
    bool sourceDone = false; // end of input read
    bool sinkShut = false;   // passed on as shutdown(SHUT_WR)

    bool done() const { return sinkShut; }
};

struct ConnectionRelay::Connection {
    Handle clientHandle;
    Handle upstreamHandle;
    int client = -1;
    int upstream = -1;
    Flow up;   // client -> upstream
    Flow down; // upstream -> client
    bool connecting = true;
    bool dead = false;
    std::uint32_t clientMask = 0;
    std::uint32_t upstreamMask = 0;
    bool clientRegistered = false;
    bool upstreamRegistered = false;
};

class ConnectionRelay::Loop {
public:
    ~Loop()
    {
        for (auto &[id, listener] : m_listeners)
            ::close(listener->fd);
        for (auto &[pointer, connection] : m_connections)
            closeConnection(*connection, false);
        if (m_epoll >= 0)
            ::close(m_epoll);
        if (m_wake >= 0)
            ::close(m_wake);
    }

    Status open()
    {
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        m_wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m_epoll < 0 || m_wake < 0)
            return Error::internal(std::string("epoll: ") + std::strerror(errno));
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.ptr = &m_wakeHandle;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event);
        return {};
    }

    void post(Command command)
    {
        {
            std::lock_guard lock(m_mutex);
            m_commands.push_back(std::move(command));
        }
        const std::uint64_t one = 1;
        (void)!::write(m_wake, &one, sizeof one);
    }

    void run()
    {
        // splice() to a socket whose peer is gone raises SIGPIPE (it has no MSG_NOSIGNAL).
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        epoll_event events[128];
        while (!m_stopping) {
            const int count = ::epoll_wait(m_epoll, events, 128, m_paused ? kPausedRetryMs : -1);
            if (count < 0 && errno != EINTR)
                break;
            for (int i = 0; i < count; ++i)
                dispatch(*static_cast<Handle *>(events[i].data.ptr), events[i].events);
            if (m_paused)
                resumeListeners();
            // Freed only now: a later event of the same batch may point into them.
            for (Connection *connection : m_closed)
                m_connections.erase(connection);
            m_closed.clear();
            clearPendingSigpipe();
        }
    }

    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<std::uint64_t> active{0};
    std::atomic<std::uint64_t> bytes{0};

private:
    void dispatch(Handle &handle, std::uint32_t events)
    {
        switch (handle.type) {
        case Handle::Type::Wake: runCommands(); break;
        case Handle::Type::Listener: acceptAll(*static_cast<Listener *>(handle.owner)); break;
        case Handle::Type::Client:
        case Handle::Type::Upstream: {
            auto &connection = *static_cast<Connection *>(handle.owner);
            if (!connection.dead)
                serve(connection, handle.type == Handle::Type::Upstream, events);
            break;
        }
        }
    }

    void runCommands()
    {
        std::uint64_t ignored;
        (void)!::read(m_wake, &ignored, sizeof ignored);
        std::vector<Command> commands;
        {
            std::lock_guard lock(m_mutex);
            commands.swap(m_commands);
        }
        for (Command &command : commands) {
            switch (command.kind) {
            case Command::Kind::Add: {
                auto listener = std::make_unique<Listener>();
                listener->handle = {Handle::Type::Listener, listener.get()};
                listener->id = command.id;
                listener->fd = command.fd;
                listener->target = command.target;
                listener->source = std::move(command.source);
                setNonBlocking(listener->fd);
                epoll_event event{};
                event.events = EPOLLIN;
                event.data.ptr = &listener->handle;
                if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, listener->fd, &event) != 0) {
                    qWarning("connection relay: cannot watch a listener: %s", std::strerror(errno));
                    ::close(listener->fd);
                    break;
                }
                m_listeners[command.id] = std::move(listener);
                break;
            }
            case Command::Kind::Remove: {
                const auto it = m_listeners.find(command.id);
                if (it == m_listeners.end())
                    break;
                ::close(it->second->fd); // leaves the epoll set with it
                m_listeners.erase(it);
                break;
            }
            case Command::Kind::Stop: m_stopping = true; break;
            }
        }
    }

    void acceptAll(Listener &listener)
    {
        for (;;) {
            const int client = ::accept4(listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (client < 0) {
                if (errno == EINTR || errno == ECONNABORTED)
                    continue;
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                    pause(listener);
                return;
            }
            ++accepted;
            startConnection(listener, client);
        }
    }

    void pause(Listener &listener)
    {
        // Level-triggered, a listener that cannot accept would wake the loop forever.
        if (listener.paused)
            return;
        qWarning("connection relay: out of file descriptors; accepting again in %d ms", kPausedRetryMs);
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, listener.fd, nullptr);
        listener.paused = true;
        m_paused = true;
    }

    void resumeListeners()
    {
        m_paused = false;
        for (auto &[id, listener] : m_listeners) {
            if (!listener->paused)
                continue;
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.ptr = &listener->handle;
            ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, listener->fd, &event);
            listener->paused = false;
        }
    }

    bool openFlow(Flow &flow)
    {
        int fds[2];
        if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
            return false;
        flow.pipeRead = fds[0];
        flow.pipeWrite = fds[1];
        ::fcntl(flow.pipeWrite, F_SETPIPE_SZ, kPipeSize);
        const int size = ::fcntl(flow.pipeWrite, F_GETPIPE_SZ);
        flow.capacity = size > 0 ? size_t(size) : 65536;
        return true;
    }

    void startConnection(Listener &listener, int client)
    {
        auto owned = std::make_unique<Connection>();
        Connection &c = *owned;
        c.clientHandle = {Handle::Type::Client, &c};
        c.upstreamHandle = {Handle::Type::Upstream, &c};
        c.client = client;
        setNoDelay(client);
        Result<int> upstream = listener.source();
        if (!upstream.ok() || !openFlow(c.up) || !openFlow(c.down)) {
            if (!upstream.ok())
                qWarning("connection relay: no socket to reach the target: %s", upstream.error().message.c_str());
            if (upstream.ok())
                ::close(*upstream);
            refuse(c);
            return;
        }
        c.upstream = *upstream;
        setNonBlocking(c.upstream);
        setNoDelay(c.upstream);
        m_connections.emplace(&c, std::move(owned));
        ++active;
        const int connected =
            ::connect(c.upstream, reinterpret_cast<const sockaddr *>(&listener.target), sizeof listener.target);
        if (connected != 0 && errno != EINPROGRESS) {
            refuse(c);
            return;
        }
        if (connected == 0) {
            connectedUpstream(c);
            return;
        }
        watch(c); // writable once connected
    }

    void refuse(Connection &c)
    {
        ++refused;
        closeConnection(c, true);
    }

    void connectedUpstream(Connection &c)
    {
        c.connecting = false;
        // Whatever arrived meanwhile moves now; the masks follow.
        pumpBoth(c);
    }

    void serve(Connection &c, bool upstreamSide, std::uint32_t events)
    {
        if (c.connecting) {
            if (!upstreamSide) {
                if ((events & EPOLLERR) && pendingError(c.client))
                    closeConnection(c, true);
                return;
            }
            if (pendingError(c.upstream) != 0) {
                refuse(c);
                return;
            }
            connectedUpstream(c);
            return;
        }
        if ((events & EPOLLERR) && pendingError(upstreamSide ? c.upstream : c.client) != 0) {
            closeConnection(c, true);
            return;
        }
        pumpBoth(c);
    }

    // False when a socket failed (a reset, a broken pipe).
    bool pump(Flow &flow, int from, int to)
    {
        for (;;) {
            bool progress = false;
            if (flow.buffered > 0) {
                const ssize_t n =
                    ::splice(flow.pipeRead, nullptr, to, nullptr, flow.buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n > 0) {
                    flow.buffered -= size_t(n);
                    bytes += std::uint64_t(n);
                    progress = true;
                } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                    return false;
                }
            }
            if (!flow.sourceDone && flow.buffered < flow.capacity) {
                const ssize_t n = ::splice(from, nullptr, flow.pipeWrite, nullptr, flow.capacity - flow.buffered,
                                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n > 0) {
                    flow.buffered += size_t(n);
                    progress = true;
                } else if (n == 0) {
                    flow.sourceDone = true;
                    progress = true;
                } else if (errno != EAGAIN && errno != EINTR) {
                    return false;
                }
            }
            if (!progress)
                break;
        }
        if (flow.sourceDone && flow.buffered == 0 && !flow.sinkShut) {
            ::shutdown(to, SHUT_WR); // the half-close travels on
            flow.sinkShut = true;
        }
        return true;
    }

    void pumpBoth(Connection &c)
    {
        if (!pump(c.up, c.client, c.upstream) || !pump(c.down, c.upstream, c.client)) {
            closeConnection(c, true);
            return;
        }
        if (c.up.done() && c.down.done()) {
            closeConnection(c, false);
            return;
        }
        watch(c);
    }

    void setMask(int fd, Handle &handle, std::uint32_t mask, std::uint32_t &current, bool &registered)
    {
        // A side with nothing left to do leaves the set: a hung-up socket would report forever.
        if (mask == 0) {
            if (registered)
                ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
            registered = false;
            current = 0;
            return;
        }
        if (registered && mask == current)
            return;
        epoll_event event{};
        event.events = mask;
        event.data.ptr = &handle;
        ::epoll_ctl(m_epoll, registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
        registered = true;
        current = mask;
    }

    void watch(Connection &c)
    {
        std::uint32_t clientMask = 0;
        std::uint32_t upstreamMask = 0;
        if (c.connecting) {
            upstreamMask = EPOLLOUT;
        } else {
            if (!c.up.sourceDone && c.up.buffered < c.up.capacity)
                clientMask |= EPOLLIN;
            if (c.down.buffered > 0)
                clientMask |= EPOLLOUT;
            if (!c.down.sourceDone && c.down.buffered < c.down.capacity)
                upstreamMask |= EPOLLIN;
            if (c.up.buffered > 0)
                upstreamMask |= EPOLLOUT;
        }
        setMask(c.client, c.clientHandle, clientMask, c.clientMask, c.clientRegistered);
        setMask(c.upstream, c.upstreamHandle, upstreamMask, c.upstreamMask, c.upstreamRegistered);
    }

    void closeConnection(Connection &c, bool reset)
    {
        if (c.dead)
            return;
        c.dead = true;
        for (int fd : {c.up.pipeRead, c.up.pipeWrite, c.down.pipeRead, c.down.pipeWrite}) {
            if (fd >= 0)
                ::close(fd);
        }
        if (reset) {
            resetAndClose(c.client);
            resetAndClose(c.upstream);
        } else {
            ::close(c.client);
            if (c.upstream >= 0)
                ::close(c.upstream);
        }
        if (m_connections.count(&c)) {
            --active;
            m_closed.push_back(&c);
        }
        // Not yet owned (refused while starting): the caller's unique_ptr frees it.
    }

    static void clearPendingSigpipe()
    {
        sigset_t pending;
        sigpending(&pending);
        if (!sigismember(&pending, SIGPIPE))
            return;
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        const timespec now{0, 0};
        sigtimedwait(&pipe, nullptr, &now);
    }

    int m_epoll = -1;
    int m_wake = -1;
    Handle m_wakeHandle{Handle::Type::Wake, nullptr};
    bool m_stopping = false;
    bool m_paused = false;
    std::mutex m_mutex;
    std::vector<Command> m_commands;
    std::map<std::uint64_t, std::unique_ptr<Listener>> m_listeners;
    std::unordered_map<Connection *, std::unique_ptr<Connection>> m_connections;
    std::vector<Connection *> m_closed;
};

ConnectionRelay::ConnectionRelay() : m_loop(std::make_unique<Loop>())
{
}

ConnectionRelay::~ConnectionRelay()
{
    if (m_thread.joinable()) {
        post({Command::Kind::Stop});
        m_thread.join();
    }
}

Status ConnectionRelay::start()
{
    if (m_thread.joinable())
        return {};
    CD_CHECK(m_loop->open());
    m_thread = std::thread([loop = m_loop.get()] {
        pthread_setname_np(pthread_self(), "cd-relay");
        loop->run();
    });
    return {};
}

void ConnectionRelay::post(Command command)
{
    m_loop->post(std::move(command));
}

std::uint64_t ConnectionRelay::addListener(int listener, sockaddr_in target, SocketSource source)
{
    const std::uint64_t id = m_nextId++;
    Command command;
    command.kind = Command::Kind::Add;
    command.id = id;
    command.fd = listener;
    command.target = target;
    command.source = std::move(source);
    post(std::move(command));
    return id;
}

void ConnectionRelay::removeListener(std::uint64_t id)
{
    Command command;
    command.kind = Command::Kind::Remove;
    command.id = id;
    post(std::move(command));
}

RelayStats ConnectionRelay::stats() const
{
    return {m_loop->accepted.load(), m_loop->refused.load(), m_loop->active.load(), m_loop->bytes.load()};
}

} // namespace cd::proxy
