/* Status codes returned by library functions (0 is success). */
#ifndef THERMOLEARN_STATUS_H
#define THERMOLEARN_STATUS_H

enum tl_status {
    TL_OK = 0,
    TL_ERR_INPUT = 2,      /* bad input file or command line: exit status 2 */
    TL_ERR_IO = 3,         /* a file could not be read or written */
    TL_ERR_NO_OVERLAP = 4, /* forward and reverse work distributions do not overlap */
    TL_ERR_NUMERIC = 5,    /* a numerical routine failed */
    TL_ERR_MEMORY = 6,
};

#endif
