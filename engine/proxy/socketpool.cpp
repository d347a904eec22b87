#include "engine/proxy/socketpool.h"

#include <unistd.h>

namespace cd::proxy {

SocketPool::~SocketPool()
{
    for (int fd : m_spare)
        ::close(fd);
}

Result<int> SocketPool::take()
{
    std::lock_guard lock(m_mutex);
    if (m_spare.empty()) {
        CD_TRY(std::vector<int> made, m_open(m_batch));
        m_spare.insert(m_spare.end(), made.begin(), made.end());
        if (m_spare.empty())
            return Error::internal("no socket was made");
    }
    const int fd = m_spare.front();
    m_spare.pop_front();
    return fd;
}

size_t SocketPool::spare() const
{
    std::lock_guard lock(m_mutex);
    return m_spare.size();
}

} // namespace cd::proxy
