// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice Test and demo price feed with Chainlink's interface; the owner posts each round's answer
/// and may date it (to test staleness).
contract MockPriceFeed is AggregatorV3Interface, Ownable {
    struct Round {
        int256 answer;
        uint64 startedAt;
        uint64 updatedAt;
    }

    error MockPriceFeedNoData(uint80 roundId);

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    uint8 public immutable decimals;
    string public description;
    uint256 public constant version = 4;

    uint80 private _latestRound;
    mapping(uint80 roundId => Round) private _rounds;

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer, address owner_) Ownable(owner_) {
        decimals = decimals_;
        description = description_;
        _post(initialAnswer, block.timestamp);
    }

    /// @notice Posts a new round with `answer`, updated now.
    function setAnswer(int256 answer) external onlyOwner {
        _post(answer, block.timestamp);
    }

    /// @notice Posts a new round with `answer` as of `updatedAt` (in the past for a stale feed).
    function setRoundData(int256 answer, uint256 updatedAt) external onlyOwner {
        _post(answer, updatedAt);
    }

    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory round = _rounds[roundId];
        // A round never written has updatedAt 0 (Chainlink feeds revert for it too): an exact test on purpose.
        // slither-disable-next-line incorrect-equality
        if (round.updatedAt == 0) revert MockPriceFeedNoData(roundId);
        return (roundId, round.answer, round.startedAt, round.updatedAt, roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory round = _rounds[_latestRound];
        return (_latestRound, round.answer, round.startedAt, round.updatedAt, _latestRound);
    }

    function _post(int256 answer, uint256 updatedAt) private {
        uint80 roundId = ++_latestRound;
        _rounds[roundId] = Round(answer, uint64(updatedAt), uint64(updatedAt));
        emit AnswerUpdated(answer, roundId, updatedAt);
    }
}
