#include "linkdeleter.h"

#include <cstdio>

namespace cd::netns {

LinkDeleter::LinkDeleter(RtNetlink netlink) : m_netlink(std::move(netlink)), m_thread([this] { run(); })
{
}

LinkDeleter::~LinkDeleter()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void LinkDeleter::deleteLater(int index)
{
    {
        std::lock_guard lock(m_mutex);
        m_pending.push_back(index);
    }
    m_wake.notify_one();
}

void LinkDeleter::run()
{
    for (;;) {
        int index = 0;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_pending.empty(); });
            if (m_stopping)
                return;
            index = m_pending.front();
            m_pending.pop_front();
        }
        // By index: it stays unique (interface indexes are not reused soon), whatever the name.
        if (Status deleted = m_netlink.deleteLink(index); !deleted.ok())
            std::fprintf(stderr, "clusterdeck-netns: %s\n", deleted.error().message.c_str());
    }
}

} // namespace cd::netns
