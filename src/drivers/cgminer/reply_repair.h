// The repair pass of ParseReply (reply.h). reply_repair.cpp holds the bytes-to-
// JSON half of reply.h (ParseReply, QuirkName, this pass); reply.cpp the
// JSON-to-readings half. Internal to src/drivers/cgminer.

#ifndef MULLET_DRIVERS_CGMINER_REPLY_REPAIR_H_
#define MULLET_DRIVERS_CGMINER_REPLY_REPAIR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/cgminer/reply.h"

namespace mullet::cgminer::internal {

struct RepairedText {
  std::string text;
  // origin[i] is the offset in the input of the byte text[i] came from (an
  // inserted byte points at the input byte it was inserted before), so that a
  // parse error in `text` can be reported at its place in the bytes received.
  std::vector<std::uint32_t> origin;
  std::vector<ReplyQuirk> quirks;  // once each, in order of first use
};

// Rewrites `bytes` token by token, outside strings only, applying each repair
// of ReplyQuirk where its pattern is found and copying everything else as is:
// the result is for a JSON parser to judge, truncation and garbage included.
// Trailing NULs are ParseReply's business and are not removed here.
// REQUIRES: bytes.size() <= kMaxReplyBytes.
RepairedText RepairReply(std::string_view bytes);

}  // namespace mullet::cgminer::internal

#endif  // MULLET_DRIVERS_CGMINER_REPLY_REPAIR_H_
