#pragma once
// Label selectors, as apimachinery's labels package defines them: the string form of the
// `labelSelector` query parameter and the structured form of metav1.LabelSelector.

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cd {

using Labels = std::map<std::string, std::string>;

struct LabelRequirement {
    enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan };
    std::string key;
    Op op = Op::Equals;
    std::vector<std::string> values;

    bool matches(const Labels &labels) const;
    bool matches(const Json &labels) const;
};

class LabelSelector {
public:
    // The selector that matches every object (an empty selector).
    static LabelSelector everything() { return LabelSelector(); }
    // The selector that matches no object (a missing metav1.LabelSelector).
    static LabelSelector nothing();

    // "app=web,tier!=db,env in (a,b),!legacy,version>2"
    static Result<LabelSelector> parse(std::string_view text);
    // {matchLabels: {...}, matchExpressions: [{key, operator, values}]}; null gives nothing().
    static Result<LabelSelector> fromJson(const Json &selector);
    // A plain map (a Service's or ReplicationController's selector); empty gives everything().
    static LabelSelector fromMap(const Labels &labels);

    bool matches(const Labels &labels) const;
    bool matches(const Json &labelsObject) const;  // metadata.labels (may be null)
    bool isEverything() const { return !m_nothing && m_requirements.empty(); }
    bool isNothing() const { return m_nothing; }
    const std::vector<LabelRequirement> &requirements() const { return m_requirements; }

    // Canonical text, requirements sorted by key, as Kubernetes prints a selector.
    std::string toString() const;

private:
    std::vector<LabelRequirement> m_requirements;
    bool m_nothing = false;
};

} // namespace cd
