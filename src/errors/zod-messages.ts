import { z } from 'zod';

// Plain messages for the two problems senders and operators hit most: a missing field and a wrong type.
z.config({
  customError: (issue) => {
    if (issue.code === 'invalid_type') {
      if (issue.input === undefined) return 'required';
      const got = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'array' : typeof issue.input;
      return `expected ${issue.expected}, got ${got}`;
    }
    return undefined;
  },
});
