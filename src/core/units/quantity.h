// Quantity<Derived>: the base of every physical and money unit in mullet.
//
// A quantity is a number with one fixed unit, chosen per type (watts for
// Watts, USD for Usd...). Two quantities of the same type add, subtract and
// compare; a quantity scales by a bare number; the ratio of two quantities of
// the same type is a bare number. Nothing else compiles: a Watts never adds to
// a Usd, and a Watts never silently becomes a double. Crossing units goes
// through a named function in units.h (EnergyOver, CostOf, PowerAt...).
//
// Thread safety: values, freely copyable.

#ifndef MULLET_CORE_UNITS_QUANTITY_H_
#define MULLET_CORE_UNITS_QUANTITY_H_

#include <compare>
#include <concepts>
#include <ostream>
#include <type_traits>

namespace mullet {

// A bare factor a quantity may be scaled by: any number for a floating-point
// quantity; only integers for an exact integer one (Sats), so that scaling
// satoshis by 0.5 cannot silently truncate.
template <typename K, typename Rep>
concept ScaleFor = std::is_arithmetic_v<K> &&(std::floating_point<Rep> || std::integral<K>);

template <typename Derived, typename Rep = double>
class Quantity {
 public:
  using rep = Rep;

  constexpr Quantity() = default;
  constexpr explicit Quantity(Rep value) : value_(value) {}

  // The number in this type's own unit (see the type's comment).
  constexpr Rep value() const { return value_; }

  constexpr Derived operator-() const { return Derived(-value_); }
  friend constexpr Derived operator+(Derived a, Derived b) {
    return Derived(a.value() + b.value());
  }
  friend constexpr Derived operator-(Derived a, Derived b) {
    return Derived(a.value() - b.value());
  }
  template <ScaleFor<Rep> K>
  friend constexpr Derived operator*(Derived a, K k) {
    return Derived(static_cast<Rep>(a.value() * k));
  }
  template <ScaleFor<Rep> K>
  friend constexpr Derived operator*(K k, Derived a) {
    return Derived(static_cast<Rep>(k * a.value()));
  }
  template <ScaleFor<Rep> K>
  friend constexpr Derived operator/(Derived a, K k) {
    return Derived(static_cast<Rep>(a.value() / k));
  }
  // Same-unit ratio: dimensionless.
  friend constexpr Rep operator/(Derived a, Derived b) { return a.value() / b.value(); }

  constexpr Derived& operator+=(Derived other) {
    value_ += other.value();
    return static_cast<Derived&>(*this);
  }
  constexpr Derived& operator-=(Derived other) {
    value_ -= other.value();
    return static_cast<Derived&>(*this);
  }

  // Prints "3500 W": the value and the type's kSymbol (for test failures and logs).
  friend std::ostream& operator<<(std::ostream& os, Derived q) {
    return os << q.value() << ' ' << Derived::kSymbol;
  }

  friend constexpr bool operator==(Derived a, Derived b) { return a.value() == b.value(); }
  friend constexpr auto operator<=>(Derived a, Derived b) { return a.value() <=> b.value(); }

 private:
  Rep value_{};
};

}  // namespace mullet

#endif  // MULLET_CORE_UNITS_QUANTITY_H_
