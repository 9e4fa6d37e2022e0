//! Notification of new submissions to the desk (to come).
