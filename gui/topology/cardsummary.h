#pragma once
// The one line a card shows under an object's name: replicas and image for workloads, type and
// ports for Services, size and access modes for storage, key counts for configuration.

#include "engine/core/json.h"

#include <QString>

namespace cd::gui {

QString cardSummary(const Json &object);

} // namespace cd::gui
