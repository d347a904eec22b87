#pragma once
// Each engine object belongs to one thread (DESIGN.md, Threads). CD_ASSERT_THREAD(obj) checks it
// in debug builds: a QObject must only be used from the thread it lives in.

#include <QObject>
#include <QThread>

#define CD_ASSERT_THREAD(object) Q_ASSERT_X((object)->thread() == QThread::currentThread(), Q_FUNC_INFO, \
                                            "used from a thread it does not belong to")
