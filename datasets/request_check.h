/* datasets/request_check.h - the checks of a request that need the dataset
 * code: every sample's inclusion proof against the committed dataset root,
 * and its model input being the stored bytes after the request's input
 * preparation recipe (datasets/prepare.h).  The seller runs them before
 * proving (it proves only inputs from the committed dataset) and `buyer
 * sample check` runs them for anyone holding a request. */
#ifndef ZD_REQUEST_CHECK_H
#define ZD_REQUEST_CHECK_H

#include "common/error.h"
#include "model/model.h"
#include "protocol/request.h"

/* ZA_OK, or ZA_ERR_MISMATCH naming the first sample that fails and why. */
za_status zd_check_request(const zp_request *rq, za_error *err) ZA_WARN_UNUSED;

/* The check that needs the seller's model.  With an nchw recipe the stored
 * shape (H, W, C) that the request states decides how every example is
 * transposed, and neither the dataset commitment nor the offer binds it: it
 * must be rank 3 and m's only input must be (1,) C x H x W.  Other recipes
 * map byte by byte and do not depend on the shape.  ZA_OK, or
 * ZA_ERR_MISMATCH naming both shapes. */
za_status zd_check_request_model(const zp_request *rq, const zm_model *m, za_error *err)
    ZA_WARN_UNUSED;

#endif
