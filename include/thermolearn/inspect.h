/* Reading thermolearn files: `thermolearn check` and `thermolearn info`. */
#ifndef THERMOLEARN_INSPECT_H
#define THERMOLEARN_INSPECT_H

/* Both return the exit status: 0 fine, 1 a check failed, 2 not a readable
 * thermolearn file (with a message naming the problem). */
int tl_check(const char *path, int json);
int tl_info(const char *path);

#endif
